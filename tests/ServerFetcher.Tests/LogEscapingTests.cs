using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using MinikubeDemo.Contract;
using MinikubeDemo.TestSupport;

namespace MinikubeDemo.ServerFetcher.Tests;

/// <summary>
/// What a hostile upstream sends never reaches the fetcher's log raw: the real process's standard output, in the
/// text and the JSON format, against an upstream on a raw socket that sends bytes no HTTP stack would.
/// </summary>
public sealed class LogEscapingTests
{
    /// <summary>Clears the operator's screen, turns the text red and returns the cursor, so the next text overwrites the line.</summary>
    private const string Hostile = "\u001b[2J\u001b[31mFAKE LOG LINE\r";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("simple")]
    [InlineData("json")]
    public async Task Terminal_escapes_in_an_upstream_header_line_are_logged_escaped(string formatter)
    {
        using var upstream = RawUpstream.Start("HTTP/1.1 200 OK\r\n" + Hostile + "\r\nContent-Length: 26\r\n\r\n" + DemoContract.Server.Body);
        using var fetcher = await ServiceProcess.StartDotnetAsync(DemoContract.Fetcher.Name, new Dictionary<string, string>
        {
            ["Upstream__BaseUrl"] = upstream.BaseAddress.ToString(),
            // Each attempt fails on the hostile header line, never on time, even on a cold, busy machine.
            ["Upstream__AttemptTimeout"] = "00:00:10",
            ["Upstream__TotalTimeout"] = "00:00:30",
            ["Upstream__MaxRetryAttempts"] = "1",
            ["Upstream__RetryBaseDelay"] = "00:00:00.010",
            ["Logging__Console__FormatterName"] = formatter,
        }, Ct);
        using var client = new HttpClient { BaseAddress = fetcher.BaseAddress };

        using var response = await client.GetAsync("/", Ct);

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        // The first attempt's failure, and the call's after the one retry.
        var lines = await fetcher.WaitForOutputAsync(l => l.Contains("FAKE LOG LINE", StringComparison.Ordinal), 2, TimeSpan.FromSeconds(10));
        Assert.Contains(lines, l => l.Contains("Upstream attempt 1 failed", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("Upstream call failed", StringComparison.Ordinal));
        foreach (var line in lines)
        {
            // A carriage return would have split the line here (standard output is read line by line) and left
            // "FAKE LOG LINE" at the start of one; an escape character would reach the terminal as it is.
            Assert.DoesNotContain('\u001b', line);
            var message = formatter == "json" ? JsonDocument.Parse(line).RootElement.GetProperty("Message").GetString()! : line;
            Assert.Contains(@"\x1b[2J\x1b[31mFAKE LOG LINE\x0d", message, StringComparison.Ordinal);
        }
        Assert.DoesNotContain(fetcher.OutputLines, l => l.StartsWith("FAKE LOG LINE", StringComparison.Ordinal) || l.Contains('\u001b', StringComparison.Ordinal));
    }

    /// <summary>An upstream on a raw loopback socket: it reads a request's headers and answers the same bytes to each.</summary>
    private sealed class RawUpstream : IDisposable
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        private readonly CancellationTokenSource _stop = new();

        private RawUpstream(string answer)
        {
            _listener.Start();
            var bytes = Encoding.Latin1.GetBytes(answer);
            _ = Task.Run(async () =>
            {
                while (!_stop.IsCancellationRequested)
                {
                    var connection = await _listener.AcceptSocketAsync(_stop.Token);
                    _ = AnswerAsync(connection, bytes);
                }
            });
        }

        public Uri BaseAddress => new($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/");

        public static RawUpstream Start(string answer) => new(answer);

        private async Task AnswerAsync(Socket connection, byte[] answer)
        {
            using (connection)
            {
                var request = new List<byte>();
                var buffer = new byte[1024];
                while (!EndsWithBlankLine(request))
                {
                    var read = await connection.ReceiveAsync(buffer, _stop.Token);
                    if (read == 0)
                    {
                        return;
                    }
                    request.AddRange(buffer.AsSpan(0, read));
                }
                await connection.SendAsync(answer, _stop.Token);
            }
        }

        private static bool EndsWithBlankLine(List<byte> request) =>
            request.Count >= 4 && request[^4] == '\r' && request[^3] == '\n' && request[^2] == '\r' && request[^1] == '\n';

        public void Dispose()
        {
            _stop.Cancel();
            _listener.Stop();
            _stop.Dispose();
        }
    }
}
