using System.Net;
using MinikubeDemo.Contract;
using MinikubeDemo.TestSupport;

namespace MinikubeDemo.ServerFetcher.Tests;

public sealed class ShutdownTests
{
    [Fact]
    public async Task A_request_in_flight_when_the_fetcher_stops_is_finished_not_dropped()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var upstream = await StubUpstream.StartAsync();
        upstream.Behave(StubUpstream.Stall(TimeSpan.FromMilliseconds(800)));
        var fetcher = new FetcherApp(upstream.BaseAddress, new Dictionary<string, string>
        {
            ["Upstream:AttemptTimeout"] = "00:00:03",
            ["Upstream:TotalTimeout"] = "00:00:05",
        });
        // An endpoint of Kestrel's own: UseKestrel(0) sets the address only once the app may already be starting on 8000.
        fetcher.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        fetcher.StartServer();
        // A client of our own: the factory disposes the clients it made when it stops, in-flight requests and all.
        Uri address;
        using (var factoryClient = fetcher.CreateClient())
        {
            address = factoryClient.BaseAddress!;
        }
        using var client = new HttpClient { BaseAddress = address };

        var inFlight = client.GetAsync("/", ct);
        // In flight means the fetcher is already waiting on the upstream's slow answer, however loaded the machine.
        await Eventually.UntilAsync(() => Task.FromResult(upstream.Requests), requests => requests > 0, TimeSpan.FromSeconds(10),
            requests => $"{requests} upstream requests", pollInterval: TimeSpan.FromMilliseconds(10));
        var stopping = fetcher.DisposeAsync().AsTask();

        using var response = await inFlight;
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(DemoContract.Fetcher.Body, await response.Content.ReadAsStringAsync(ct));
        await stopping;
    }
}
