using System.Net;
using System.Net.Sockets;

namespace MinikubeDemo.ServerFetcher.Upstream;

/// <summary>
/// Opens each new connection to the next address the upstream's name resolves to. A Service name resolves to one
/// ClusterIP, where kube-proxy spreads connections over pods; where it resolves to the pods themselves (a headless
/// Service, Docker's DNS with a shared alias) the default connector would take the first of a list whose order varies.
/// </summary>
internal sealed class RoundRobinConnector(TimeSpan addressTimeout)
{
    private uint _next;

    public async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        var (host, port) = (context.DnsEndPoint.Host, context.DnsEndPoint.Port);
        var addresses = IPAddress.TryParse(host, out var literal) ? [literal] : await Dns.GetHostAddressesAsync(host, cancellationToken);
        // A stable order, so that taking turns visits every address whatever order DNS answered in.
        Array.Sort(addresses, static (a, b) => string.CompareOrdinal(a.ToString(), b.ToString()));
        var first = Interlocked.Increment(ref _next);
        for (var i = 0; i < addresses.Length; i++)
        {
            var address = addresses[(first + i) % addresses.Length];
            var last = i == addresses.Length - 1;
            var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            // A gone pod's address may drop packets rather than refuse: it gets a moment, not the whole attempt.
            using var attempt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            attempt.CancelAfter(last ? Timeout.InfiniteTimeSpan : addressTimeout);
            try
            {
                await socket.ConnectAsync(new IPEndPoint(address, port), attempt.Token);
                return new AddressReportingStream(socket);
            }
            catch (Exception e)
            {
                socket.Dispose();
                // A replica that is gone but still resolved costs one failed connect, not a failed request.
                if (last || cancellationToken.IsCancellationRequested || e is not (SocketException or OperationCanceledException))
                {
                    throw;
                }
            }
        }
        throw new SocketException((int)SocketError.HostNotFound);
    }
}
