using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using MinikubeDemo.TestSupport;

namespace MinikubeDemo.ServerFetcher.Tests;

/// <summary>
/// The fetcher in process, pointed at a <see cref="StubUpstream"/>, on a clock of the test's own
/// (<see cref="Time"/>): its timeouts, retry waits and circuit breaker move only when the test advances it, so what
/// they do is checked in the fetcher's time, however long the machine takes. Retries follow each other at once
/// (no backoff), so that only the waits a test is about are on the clock.
/// </summary>
public sealed class FetcherApp(Uri upstream, IReadOnlyDictionary<string, string>? overrides = null) : WebApplicationFactory<Program>
{
    public static readonly TimeSpan AttemptTimeout = TimeSpan.FromMilliseconds(300);
    public static readonly TimeSpan TotalTimeout = TimeSpan.FromSeconds(1.2);
    public static readonly TimeSpan BreakDuration = TimeSpan.FromSeconds(1);
    public const int MaxRetryAttempts = 2;
    public const int BreakerMinimumThroughput = 6;

    /// <summary>Starts at the real time, so that a <c>Retry-After</c> date means what it says.</summary>
    public FakeTimeProvider Time { get; } = new(DateTimeOffset.UtcNow);

    /// <summary>
    /// Advances the fetcher's clock by <paramref name="step"/> each time <paramref name="ready"/> holds, until
    /// <paramref name="call"/> completes; <paramref name="ready"/> says when the fetcher waits on its clock (say, when
    /// the stub holds its request), so that the clock never runs ahead of a slow machine.
    /// </summary>
    public async Task<T> AdvanceUntilAsync<T>(Task<T> call, TimeSpan step, Func<bool> ready)
    {
        ArgumentNullException.ThrowIfNull(call);
        ArgumentNullException.ThrowIfNull(ready);
        while (!call.IsCompleted)
        {
            await Eventually.UntilAsync(() => Task.FromResult(call.IsCompleted || ready()), done => done, TimeSpan.FromSeconds(30),
                _ => "the fetcher never came to wait on its clock", pollInterval: TimeSpan.FromMilliseconds(5));
            if (!call.IsCompleted)
            {
                Time.Advance(step);
                await Task.WhenAny(call, Task.Delay(TimeSpan.FromMilliseconds(50), TestContext.Current.CancellationToken));
            }
        }
        return await call;
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        var settings = new Dictionary<string, string>
        {
            ["Upstream:BaseUrl"] = upstream.ToString(),
            ["Upstream:AttemptTimeout"] = AttemptTimeout.ToString("c"),
            ["Upstream:TotalTimeout"] = TotalTimeout.ToString("c"),
            ["Upstream:MaxRetryAttempts"] = MaxRetryAttempts.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Upstream:RetryBaseDelay"] = "00:00:00",
            ["Upstream:BreakerMinimumThroughput"] = BreakerMinimumThroughput.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Upstream:BreakerSamplingDuration"] = "00:00:05",
            ["Upstream:BreakerBreakDuration"] = BreakDuration.ToString("c"),
            ["Upstream:MaxResponseBytes"] = "1024",
            ["Shutdown:DrainDelay"] = "00:00:00",
        };
        foreach (var (key, value) in overrides ?? new Dictionary<string, string>())
        {
            settings[key] = value;
        }
        foreach (var (key, value) in settings)
        {
            builder.UseSetting(key, value);
        }
        builder.ConfigureServices(services => services.AddSingleton<TimeProvider>(Time));
        builder.ConfigureLogging(logging => logging.ClearProviders().AddFakeLogging());
    }
}
