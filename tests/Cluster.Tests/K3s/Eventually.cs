using System.Diagnostics;

namespace MinikubeDemo.Cluster.Tests.K3s;

/// <summary>Polls the cluster until a condition holds, failing with the last thing it saw.</summary>
internal static class Eventually
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(1);

    public static async Task<T> UntilAsync<T>(Func<Task<T>> read, Func<T, bool> done, TimeSpan timeout, Func<T, string> describe)
    {
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
                Assert.Fail($"Not there after {timeout.TotalSeconds:0} s: {describe(seen)}");
            }

            await Task.Delay(PollInterval, TestContext.Current.CancellationToken);
        }
    }
}
