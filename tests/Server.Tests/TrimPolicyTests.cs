using MinikubeDemo.ServiceDefaults.Hosting;

namespace MinikubeDemo.Server.Tests;

/// <summary>When the idle-memory trim collects: the container tier measures what it gives back.</summary>
public sealed class TrimPolicyTests
{
    private const long MiB = 1024 * 1024;

    [Fact]
    public void Only_a_quiet_service_holding_more_than_its_idle_size_by_the_margin_is_trimmed()
    {
        var policy = new TrimPolicy(idle: 20 * MiB);

        Assert.False(policy.ShouldTrim(quiet: false, 200 * MiB));
        Assert.False(policy.ShouldTrim(quiet: true, 20 * MiB + TrimPolicy.Margin));
        Assert.True(policy.ShouldTrim(quiet: true, 21 * MiB + TrimPolicy.Margin));
    }

    [Fact]
    public void Connections_that_close_after_a_trim_left_them_live_are_trimmed_once_quiet()
    {
        // The case a floor raised to what a trim left would miss: 3,000 connections open during a quiet moment.
        var policy = new TrimPolicy(idle: 20 * MiB);
        Assert.True(policy.ShouldTrim(quiet: true, 100 * MiB));
        policy.Saw(policy.Trimmed(before: 100 * MiB, after: 60 * MiB));

        // They close: nothing changes until a GC, and the 60 MiB are now garbage.
        Assert.True(policy.ShouldTrim(quiet: true, 60 * MiB));
        policy.Saw(policy.Trimmed(before: 60 * MiB, after: 22 * MiB));

        Assert.Equal(20 * MiB, policy.Idle);
        Assert.False(policy.ShouldTrim(quiet: true, 22 * MiB));
    }

    [Fact]
    public void A_trim_that_frees_little_makes_the_next_looks_skip_doubling_up_to_a_bound()
    {
        var policy = new TrimPolicy(idle: 20 * MiB);
        var trimsAt = new List<int>();
        for (var look = 0; look < 200; look++)
        {
            // Idle connections held open: the memory is live, and each trim frees almost nothing.
            if (policy.ShouldTrim(quiet: true, 60 * MiB))
            {
                trimsAt.Add(look);
                policy.Saw(policy.Trimmed(before: 60 * MiB, after: 59 * MiB));
            }
        }

        var gaps = trimsAt.Zip(trimsAt.Skip(1), (a, b) => b - a).ToList();
        Assert.Equal([2, 3, 5, 9, 17, 17], gaps.Take(6));
        Assert.All(gaps, gap => Assert.True(gap <= TrimPolicy.MaxSkips + 1));
    }

    [Fact]
    public void A_trim_that_frees_memory_again_ends_the_skipping()
    {
        var policy = new TrimPolicy(idle: 20 * MiB);
        Assert.True(policy.ShouldTrim(quiet: true, 60 * MiB));
        policy.Saw(policy.Trimmed(before: 60 * MiB, after: 59 * MiB));
        Assert.False(policy.ShouldTrim(quiet: true, 60 * MiB));

        Assert.True(policy.ShouldTrim(quiet: true, 90 * MiB));
        policy.Saw(policy.Trimmed(before: 90 * MiB, after: 30 * MiB));

        Assert.True(policy.ShouldTrim(quiet: true, 60 * MiB));
    }
}
