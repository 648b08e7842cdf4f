namespace MinikubeDemo.Cluster.Tests.StandIn;

/// <summary>What a pod's kubelet knows of its one container: the image it started, its address, and where it is in its life.</summary>
internal sealed class PodRuntime
{
    /// <summary>The image the running (or last) container was started from, whatever the tag names now.</summary>
    public SimImage? Image { get; set; }

    public string? Address { get; set; }

    /// <summary>When the kubelet next syncs the pod: at once at first, then after its back-off.</summary>
    public long NextSync { get; set; }

    public long? RunningSince { get; set; }

    public int Restarts { get; set; }

    /// <summary>The next crash-loop back-off: 10 s, doubling, at most 5 min (pkg/kubelet/kubelet.go, initialCrashLoopBackOff and MaxContainerBackOff).</summary>
    public int BackOff { get; set; } = 10;

    public string? WaitingReason { get; set; } = "ContainerCreating";

    public string? WaitingMessage { get; set; }

    /// <summary>When a terminating pod's process has drained and exits.</summary>
    public long? ExitsAt { get; set; }

    public bool Running => RunningSince is not null;

    public bool Ready(long now) => RunningSince is { } since && now >= since + Kubelet.ReadyAfter;
}
