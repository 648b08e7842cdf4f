namespace MinikubeDemo.ServiceDefaults.Hosting;

/// <summary>
/// When <see cref="IdleMemoryTrim"/> collects. The yardstick is the least the service has held at any look (its
/// idle size), never what a trim left: a trim while thousands of connections are still open leaves them live, and
/// once they close their memory must still count as more than idle. A trim that frees little (the memory is live:
/// connections still open) makes the next looks skip, doubling, so that a quiet service holding idle connections
/// is not collected every few seconds.
/// </summary>
internal sealed class TrimPolicy(long idle)
{
    public const long Margin = 16L * 1024 * 1024;
    public const int MaxSkips = 16;

    private int _skips;
    private int _skipped;

    public long Idle { get; private set; } = idle;

    public bool ShouldTrim(bool quiet, long held)
    {
        if (!quiet || held <= Idle + Margin)
        {
            return false;
        }
        return _skipped++ >= _skips;
    }

    /// <summary>After a trim: the next one waits longer when this one freed less than the margin. Returns what is held now.</summary>
    public long Trimmed(long before, long after)
    {
        _skips = before - after < Margin ? Math.Clamp(_skips * 2, 1, MaxSkips) : 0;
        _skipped = 0;
        return after;
    }

    public void Saw(long held) => Idle = Math.Min(Idle, held);
}
