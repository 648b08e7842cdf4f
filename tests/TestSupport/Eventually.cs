using System.Diagnostics;

namespace MinikubeDemo.TestSupport;

/// <summary>Polls until a condition holds, failing with the last thing it saw.</summary>
public static class Eventually
{
    private static readonly TimeSpan DefaultPollInterval = TimeSpan.FromSeconds(1);

    public static async Task<T> UntilAsync<T>(Func<Task<T>> read, Func<T, bool> done, TimeSpan timeout, Func<T, string> describe, TimeSpan? pollInterval = null)
    {
        ArgumentNullException.ThrowIfNull(read);
        ArgumentNullException.ThrowIfNull(done);
        ArgumentNullException.ThrowIfNull(describe);
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var seen = await read();
            if (done(seen))
            {
                return seen;
            }

            if (clock.Elapsed >= timeout)
            {
                Assert.Fail($"Not there after {timeout.TotalSeconds:0.###} s: {describe(seen)}");
            }

            await Task.Delay(pollInterval ?? DefaultPollInterval, TestContext.Current.CancellationToken);
        }
    }
}
