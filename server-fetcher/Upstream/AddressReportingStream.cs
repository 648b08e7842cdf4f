using System.Net.Sockets;

namespace MinikubeDemo.ServerFetcher.Upstream;

/// <summary>
/// An upstream connection that tells the call writing a request on it which address it is connected to: HttpClient
/// does not say which connection served a request. Still a <see cref="NetworkStream"/>, so the handler keeps the
/// socket-level checks it does on idle connections.
/// </summary>
internal sealed class AddressReportingStream(Socket socket) : NetworkStream(socket, ownsSocket: true)
{
    // A request is written in its caller's own flow (the fetcher only sends asynchronously), so the call seen here is its own.
    private static readonly AsyncLocal<UpstreamCall?> Sending = new();

    // Formatted once per connection, not per request.
    private readonly string _address = socket.RemoteEndPoint?.ToString() ?? "";

    /// <summary>Makes the requests that the current flow sends from now on report their connection to <paramref name="call"/>.</summary>
    public static void ReportTo(UpstreamCall call) => Sending.Value = call;

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        Sending.Value?.Address = _address;
        return base.WriteAsync(buffer, cancellationToken);
    }
}
