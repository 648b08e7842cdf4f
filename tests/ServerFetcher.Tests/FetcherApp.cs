using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Logging;

namespace MinikubeDemo.ServerFetcher.Tests;

/// <summary>
/// The fetcher in process, pointed at a <see cref="StubUpstream"/>, with resilience timings scaled down so
/// that timeouts and the circuit breaker play out in a test's time.
/// </summary>
public sealed class FetcherApp(Uri upstream, IReadOnlyDictionary<string, string>? overrides = null) : WebApplicationFactory<Program>
{
    public static readonly TimeSpan AttemptTimeout = TimeSpan.FromMilliseconds(300);
    public static readonly TimeSpan TotalTimeout = TimeSpan.FromSeconds(1.2);
    public static readonly TimeSpan BreakDuration = TimeSpan.FromSeconds(1);
    public const int MaxRetryAttempts = 2;
    public const int BreakerMinimumThroughput = 6;

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        var settings = new Dictionary<string, string>
        {
            ["Upstream:BaseUrl"] = upstream.ToString(),
            ["Upstream:AttemptTimeout"] = AttemptTimeout.ToString("c"),
            ["Upstream:TotalTimeout"] = TotalTimeout.ToString("c"),
            ["Upstream:MaxRetryAttempts"] = MaxRetryAttempts.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Upstream:RetryBaseDelay"] = "00:00:00.020",
            ["Upstream:BreakerMinimumThroughput"] = BreakerMinimumThroughput.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Upstream:BreakerSamplingDuration"] = "00:00:05",
            ["Upstream:BreakerBreakDuration"] = BreakDuration.ToString("c"),
            ["Upstream:MaxResponseBytes"] = "1024",
            ["Shutdown:DrainDelay"] = "00:00:00.2",
        };
        foreach (var (key, value) in overrides ?? new Dictionary<string, string>())
        {
            settings[key] = value;
        }
        foreach (var (key, value) in settings)
        {
            builder.UseSetting(key, value);
        }
        builder.ConfigureLogging(logging => logging.ClearProviders().AddFakeLogging());
    }
}
