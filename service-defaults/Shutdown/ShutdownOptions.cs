namespace MinikubeDemo.ServiceDefaults.Shutdown;

/// <summary>Settings under <c>Shutdown</c> (environment: <c>Shutdown__DrainDelay</c>, <c>Shutdown__TerminationGracePeriodSeconds</c>).</summary>
public sealed class ShutdownOptions
{
    public const string SectionName = "Shutdown";

    /// <summary>
    /// How long the service keeps serving after SIGTERM while it reports not-ready, so that Kubernetes can
    /// take the pod out of its Service's endpoints before the listener closes.
    /// </summary>
    public TimeSpan DrainDelay { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// The pod's <c>terminationGracePeriodSeconds</c>: after it Kubernetes kills the process, so the drain and the
    /// in-flight grace must fit in it. No downward API field carries it, so it is a setting, with Kubernetes'
    /// default (which k8s/ keeps); set it where a pod's grace period differs.
    /// </summary>
    public int TerminationGracePeriodSeconds { get; set; } = 30;

    /// <summary>Time left after the drain delay for in-flight requests to finish before the host gives up.</summary>
    public static readonly TimeSpan InFlightGrace = TimeSpan.FromSeconds(10);
}
