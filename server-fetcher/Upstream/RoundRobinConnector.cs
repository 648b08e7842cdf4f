using System.Net;
using System.Net.Sockets;

namespace MinikubeDemo.ServerFetcher.Upstream;

/// <summary>
/// Opens each new connection to the next address the upstream's name resolves to. In a cluster the Service
/// name resolves to one ClusterIP and kube-proxy spreads connections over pods; where a name resolves to the
/// pods themselves (a headless Service, Docker's DNS with a shared network alias) the default connector would
/// take the first address of a list whose order varies, and replicas would be loaded by chance.
/// </summary>
internal sealed class RoundRobinConnector(TimeSpan addressTimeout)
{
    private uint _next;

    public async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        var endPoint = context.DnsEndPoint;
        var addresses = IPAddress.TryParse(endPoint.Host, out var literal)
            ? [literal]
            : await Dns.GetHostAddressesAsync(endPoint.Host, cancellationToken);
        if (addresses.Length == 0)
        {
            throw new SocketException((int)SocketError.HostNotFound);
        }

        // A stable order, so that taking turns visits every address whatever order DNS answered in.
        Array.Sort(addresses, static (a, b) => string.CompareOrdinal(a.ToString(), b.ToString()));
        var first = (int)(Interlocked.Increment(ref _next) % (uint)addresses.Length);

        for (var i = 0; ; i++)
        {
            var address = addresses[(first + i) % addresses.Length];
            var last = i == addresses.Length - 1;
            var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            using var attempt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            if (!last)
            {
                // A gone pod's address may drop packets rather than refuse: give it a moment, not the whole attempt.
                attempt.CancelAfter(addressTimeout);
            }
            try
            {
                await socket.ConnectAsync(new IPEndPoint(address, endPoint.Port), attempt.Token);
                return new AddressReportingStream(socket);
            }
            catch (Exception e) when (!last && !cancellationToken.IsCancellationRequested && e is SocketException or OperationCanceledException)
            {
                // A replica that is gone but still resolved costs one failed connect, not a failed request.
                socket.Dispose();
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        }
    }
}
