using System.Net;
using System.Text.Json;
using Microsoft.Extensions.Logging.Testing;
using MinikubeDemo.Contract;
using static MinikubeDemo.ServerFetcher.Tests.Problems;

namespace MinikubeDemo.ServerFetcher.Tests;

/// <summary>
/// The fetcher, on a real Kestrel (which refuses to send what the in-memory test server would let through),
/// against upstreams that send what no well-behaved server does. Whatever arrives, the caller gets a 200 or a
/// 502 problem that names the failure and the upstream, never a 500 and never the upstream's own bytes.
/// </summary>
public sealed class HostileUpstreamTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>
    /// Starts the fetcher on Kestrel, pointed at <paramref name="upstream"/>, with time budgets that a busy machine
    /// does not run out of: these upstreams answer at once, and what they answer is what is being tested.
    /// </summary>
    private static (FetcherApp Fetcher, HttpClient Client) StartFetcher(Uri upstream)
    {
        var fetcher = new FetcherApp(upstream, new Dictionary<string, string>
        {
            ["Upstream:AttemptTimeout"] = "00:00:02",
            ["Upstream:TotalTimeout"] = "00:00:10",
        });
        // An endpoint of Kestrel's own: UseKestrel(0) sets the address only once the app may already be starting on 8000.
        fetcher.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        return (fetcher, fetcher.CreateClient());
    }

    [Theory]
    [InlineData("caf\u00c3\u00a9-\u00ff")] // UTF-8 "café" and a lone 0xFF byte
    [InlineData("a\u0001b\u001b[31m")] // control characters and a terminal escape
    public async Task An_upstream_instance_header_that_cannot_be_passed_on_is_dropped_and_the_answer_is_a_200(string instance)
    {
        await using var upstream = RawUpstream.Start(RawUpstream.Ok(DemoContract.Server.Body, $"{DemoContract.Headers.Instance}: {instance}\r\n"));
        var (fetcher, client) = StartFetcher(upstream.BaseAddress);
        await using var _ = fetcher;
        using var __ = client;

        using var response = await client.GetAsync("/", Ct);

        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync(Ct)}");
        Assert.Equal(DemoContract.Fetcher.Body, await response.Content.ReadAsStringAsync(Ct));
        Assert.False(response.Headers.TryGetValues(DemoContract.Headers.UpstreamInstance, out var passed),
            $"a value Kestrel cannot send is not passed on, but it passed on '{string.Join(",", passed ?? [])}'");
        Assert.Single(response.Headers.GetValues(DemoContract.Headers.Instance));
    }

    [Fact]
    public async Task An_upstream_instance_header_longer_than_a_pod_name_is_dropped()
    {
        await using var upstream = RawUpstream.Start(RawUpstream.Ok(DemoContract.Server.Body, $"{DemoContract.Headers.Instance}: {new string('a', 4000)}\r\n"));
        var (fetcher, client) = StartFetcher(upstream.BaseAddress);
        await using var _ = fetcher;
        using var __ = client;

        using var response = await client.GetAsync("/", Ct);

        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync(Ct)}");
        Assert.False(response.Headers.Contains(DemoContract.Headers.UpstreamInstance));
    }

    public static TheoryData<string, string> Garbage => new()
    {
        { "an invalid status line", "HELLO THERE\r\n\r\n" },
        { "a header line with terminal escapes", "HTTP/1.1 200 OK\r\n\u001b[2J\u001b[31mFAKE LOG LINE\r\n\r\n" },
        { "a status code past 599", "HTTP/1.1 999 Odd\r\nContent-Length: 0\r\n\r\n" },
        { "a negative length", "HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n{}" },
        { "a broken chunk", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n" },
        { "a body cut short", "HTTP/1.1 200 OK\r\nContent-Length: 50\r\n\r\n{\"message\":" },
        { "nothing at all", "" },
        { "only an interim answer", "HTTP/1.1 100 Continue\r\n\r\n" },
        { "a body that is not UTF-8", "HTTP/1.1 200 OK\r\nContent-Length: 15\r\n\r\n{\"message\":\"\u00ff\"}" },
        { "a lone surrogate", RawUpstream.Ok("{\"message\":\"\\ud800\"}") },
        { "headers over the client's limit", $"HTTP/1.1 200 OK\r\nX-Padding: {new string('x', 70_000)}\r\nContent-Length: 2\r\n\r\n{{}}" },
        { "a 503 with a garbled Retry-After", "HTTP/1.1 503 Busy\r\nRetry-After: \u0001soon\u00ff\r\nContent-Length: 0\r\n\r\n" },
        { "JSON that names .NET's type", RawUpstream.Ok("{\"message\":[1]}") },
    };

    [Theory]
    [MemberData(nameof(Garbage))]
    public async Task Garbage_from_the_upstream_is_a_bad_gateway_whose_detail_names_only_the_failure_and_the_upstream(string what, string answer)
    {
        await using var upstream = RawUpstream.Start(answer);
        var (fetcher, client) = StartFetcher(upstream.BaseAddress);
        await using var _ = fetcher;
        using var __ = client;

        using var response = await client.GetAsync("/", Ct);

        Assert.True(response.StatusCode == HttpStatusCode.BadGateway, $"{what}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(Ct)}");
        var problem = await AssertProblemAsync(response, HttpStatusCode.BadGateway);
        AssertDetailNamesOnly(problem, upstream.BaseAddress);
    }

    [Fact]
    public async Task Control_characters_in_the_message_are_passed_on_as_json_escapes()
    {
        await using var upstream = RawUpstream.Start(RawUpstream.Ok("{\"message\":\"\\u001b[31mred\\r\\nline\"}"));
        var (fetcher, client) = StartFetcher(upstream.BaseAddress);
        await using var _ = fetcher;
        using var __ = client;

        using var response = await client.GetAsync("/", Ct);

        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync(Ct)}");
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct));
        Assert.Equal("Fetched: \u001b[31mred\r\nline", body.RootElement.GetProperty("message").GetString());
    }

    [Fact]
    public async Task The_log_keeps_the_full_reason_the_client_is_not_told()
    {
        await using var upstream = RawUpstream.Start("HELLO THERE\r\n\r\n");
        var (fetcher, client) = StartFetcher(upstream.BaseAddress);
        await using var _ = fetcher;
        using var __ = client;

        using var response = await client.GetAsync("/", Ct);

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.DoesNotContain("HELLO", await response.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        Assert.Contains(fetcher.Services.GetFakeLogCollector().GetSnapshot(),
            record => record.Message.Contains("HELLO THERE", StringComparison.Ordinal) && record.Message.Contains(upstream.BaseAddress.ToString(), StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_refused_connection_is_not_described_with_the_sockets_words()
    {
        var closed = RawUpstream.Start("");
        var address = closed.BaseAddress;
        await closed.DisposeAsync();
        var (fetcher, client) = StartFetcher(address);
        await using var _ = fetcher;
        using var __ = client;

        using var response = await client.GetAsync("/", Ct);

        var problem = await AssertProblemAsync(response, HttpStatusCode.BadGateway, "The upstream server could not be reached");
        Assert.Equal($"{address} could not be reached.", problem.GetProperty("detail").GetString());
    }

    /// <summary>The detail is one sentence about the configured upstream: nothing the upstream sent, no exception text, no .NET names.</summary>
    private static void AssertDetailNamesOnly(JsonElement problem, Uri upstream)
    {
        var detail = problem.GetProperty("detail").GetString()!;
        Assert.StartsWith(upstream.ToString(), detail, StringComparison.Ordinal);
        foreach (var leak in new[] { "HELLO", "FAKE", "'", "MinikubeDemo", "System.", "BytePosition", "Path:", "LineNumber", "\u001b", "\u00ff" })
        {
            Assert.DoesNotContain(leak, detail, StringComparison.Ordinal);
        }
    }
}
