using System.Diagnostics;
using System.Net;
using System.Text.Json;

namespace MinikubeDemo.Containers.Tests;

/// <summary>The fetcher when its service name leads nowhere: a quick problem answer, never a hang.</summary>
public sealed class UpstreamUnavailableTests
{
    [Fact(Timeout = 120_000)]
    public async Task Fetcher_without_reachable_server_answers_502_or_504_problem_details()
    {
        await using var topology = await Topology.StartAsync(replicas: 0, cancellationToken: TestContext.Current.CancellationToken);
        using var client = topology.CreateFetcherClient();

        var stopwatch = Stopwatch.StartNew();
        using var response = await client.GetAsync(new Uri("/", UriKind.Relative), TestContext.Current.CancellationToken);
        var elapsed = stopwatch.Elapsed;

        Report.Line($"no upstream: {(int)response.StatusCode} after {elapsed.TotalSeconds:F1} s");
        Assert.Contains(response.StatusCode, new[] { HttpStatusCode.BadGateway, HttpStatusCode.GatewayTimeout });
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.Equal((int)response.StatusCode, problem.RootElement.GetProperty("status").GetInt32());
        Assert.True(elapsed < TimeSpan.FromSeconds(10), $"the fetcher took {elapsed} to give up on an unreachable upstream");
    }
}
