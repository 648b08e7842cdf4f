using System.Net;
using System.Net.Sockets;
using System.Text;

namespace MinikubeDemo.ServerFetcher.Tests;

/// <summary>
/// A hostile upstream on loopback: a bare TCP listener that reads each request's head and answers with exactly
/// the bytes a test gives it, then closes the connection. Unlike <see cref="StubUpstream"/> it can send what an
/// HTTP stack refuses to write: non-ASCII and control characters in headers, broken status lines, garbage.
/// </summary>
public sealed class RawUpstream : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;
    private readonly byte[] _answer;
    private int _requests;

    private RawUpstream(byte[] answer)
    {
        _answer = answer;
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        BaseAddress = new Uri($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/");
        _accepting = AcceptAsync();
    }

    public Uri BaseAddress { get; }

    /// <summary>How many requests reached it (one per connection).</summary>
    public int Requests => Volatile.Read(ref _requests);

    /// <summary>Answers every request with <paramref name="answer"/>, its characters sent as Latin-1 bytes (one byte each).</summary>
    public static RawUpstream Start(string answer) => new(Encoding.Latin1.GetBytes(answer));

    /// <summary>Answers every request with these bytes.</summary>
    public static RawUpstream Start(byte[] answer) => new(answer);

    /// <summary>A 200 with a JSON body of the course's shape, preceded by <paramref name="extraHeaderLines"/> (each ending in CRLF).</summary>
    public static string Ok(string body, string extraHeaderLines = "") =>
        $"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {Encoding.UTF8.GetByteCount(body)}\r\n{extraHeaderLines}Connection: close\r\n\r\n{body}";

    private async Task AcceptAsync()
    {
        var connections = new List<Task>();
        try
        {
            while (true)
            {
                var client = await _listener.AcceptTcpClientAsync(_stop.Token);
                connections.Add(AnswerAsync(client));
            }
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // Stopped.
        }
        await Task.WhenAll(connections);
    }

    private async Task AnswerAsync(TcpClient client)
    {
        using (client)
        {
            try
            {
                var stream = client.GetStream();
                await ReadRequestHeadAsync(stream);
                Interlocked.Increment(ref _requests);
                await stream.WriteAsync(_answer, _stop.Token);
                await stream.FlushAsync(_stop.Token);
                client.Client.Shutdown(SocketShutdown.Send);
            }
            catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
            {
                // The fetcher gave up on this connection: that is its business.
            }
        }
    }

    private async Task ReadRequestHeadAsync(NetworkStream stream)
    {
        var seen = new List<byte>();
        var buffer = new byte[1024];
        while (!EndsWithBlankLine(seen))
        {
            var read = await stream.ReadAsync(buffer, _stop.Token);
            if (read == 0)
            {
                throw new IOException("The client closed before sending a whole request head.");
            }
            seen.AddRange(buffer.AsSpan(0, read));
        }
    }

    private static bool EndsWithBlankLine(List<byte> seen) =>
        seen.Count >= 4 && seen[^4] == '\r' && seen[^3] == '\n' && seen[^2] == '\r' && seen[^1] == '\n';

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _accepting;
        _stop.Dispose();
    }
}
