using System.Diagnostics;
using System.Net;
using MinikubeDemo.Contract;
using MinikubeDemo.ServiceDefaults.Shutdown;
using MinikubeDemo.TestSupport;

namespace MinikubeDemo.Server.Tests;

/// <summary>
/// The real thing: the server as its own process on a free loopback port, stopped with SIGTERM as the
/// kubelet stops a container.
/// </summary>
public sealed class GracefulShutdownTests
{
    /// <summary>Long enough that the checks during the drain are done inside it, however busy the machine.</summary>
    private static readonly TimeSpan DrainDelay = TimeSpan.FromSeconds(5);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task On_sigterm_it_turns_unready_at_once_keeps_serving_through_the_drain_then_exits()
    {
        using var server = await ServiceProcess.StartDotnetAsync(DemoContract.Server.Name,
            new Dictionary<string, string> { ["Shutdown__DrainDelay"] = DrainDelay.ToString("c") }, Ct);
        using var client = new HttpClient { BaseAddress = server.BaseAddress };
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/readyz", Ct)).StatusCode);

        var stopwatch = Stopwatch.StartNew();
        server.SendSigterm();

        // Not ready at once...
        await Eventually.UntilAsync(async () => (await client.GetAsync("/readyz", Ct)).StatusCode,
            status => status == HttpStatusCode.ServiceUnavailable, DrainDelay,
            status => $"/readyz still answers {status}", pollInterval: TimeSpan.FromMilliseconds(20));
        // ...but still serving, and telling keep-alive clients to go elsewhere.
        using var during = await client.GetAsync("/", Ct);
        Assert.Equal(HttpStatusCode.OK, during.StatusCode);
        Assert.True(during.Headers.ConnectionClose);
        Assert.True(stopwatch.Elapsed < DrainDelay, $"the checks during the drain took {stopwatch.Elapsed}, longer than the drain");

        // Then it exits within the host's shutdown budget: the drain, then the grace in-flight requests get.
        var exitCode = await server.WaitForExitAsync(Ct).WaitAsync(DrainDelay + ShutdownOptions.InFlightGrace, Ct);
        Assert.True(stopwatch.Elapsed >= DrainDelay, $"exited after {stopwatch.Elapsed}, before the {DrainDelay} drain delay");
        Assert.Equal(0, exitCode);
        await Assert.ThrowsAsync<HttpRequestException>(() => client.GetAsync("/", Ct));
    }
}
