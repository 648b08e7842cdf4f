using MinikubeDemo.Contract;
using MinikubeDemo.TestSupport;

namespace MinikubeDemo.Telemetry.Tests;

/// <summary>The chapter's pair as real processes on loopback: the fetcher calls the server, both with the same settings.</summary>
public sealed class Services : IDisposable
{
    private Services(ServiceProcess server, ServiceProcess fetcher)
    {
        Server = server;
        Fetcher = fetcher;
    }

    public ServiceProcess Server { get; }

    public ServiceProcess Fetcher { get; }

    public static async Task<Services> StartAsync(IReadOnlyDictionary<string, string> settings, CancellationToken cancellationToken)
    {
        var server = await ServiceProcess.StartDotnetAsync(DemoContract.Server.Name, settings, cancellationToken);
        try
        {
            var fetcherSettings = new Dictionary<string, string>(settings) { ["Upstream__BaseUrl"] = server.BaseAddress.ToString() };
            return new Services(server, await ServiceProcess.StartDotnetAsync(DemoContract.Fetcher.Name, fetcherSettings, cancellationToken));
        }
        catch
        {
            server.Dispose();
            throw;
        }
    }

    /// <summary>Asks the fetcher <paramref name="count"/> times, each a call to the server; every answer must be the chapter's.</summary>
    public async Task FetchAsync(int count, CancellationToken cancellationToken)
    {
        using var client = new HttpClient { BaseAddress = Fetcher.BaseAddress };
        for (var i = 0; i < count; i++)
        {
            Assert.Equal(DemoContract.Fetcher.Body, await client.GetStringAsync("/", cancellationToken));
        }
    }

    public void Dispose()
    {
        Fetcher.Dispose();
        Server.Dispose();
    }
}
