using System.ComponentModel.DataAnnotations;
using MinikubeDemo.ServiceDefaults.Settings;

namespace MinikubeDemo.ServiceDefaults.Shutdown;

/// <summary>Settings under <c>Shutdown</c> (environment: <c>Shutdown__DrainDelay</c>, <c>Shutdown__TerminationGracePeriodSeconds</c>).</summary>
public sealed class ShutdownOptions : IValidatableObject
{
    public const string SectionName = "Shutdown";

    /// <summary>Time left after the drain delay for in-flight requests to finish before the host gives up.</summary>
    public static readonly TimeSpan InFlightGrace = TimeSpan.FromSeconds(10);

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

    /// <summary>
    /// The drain and the in-flight grace after it must end before Kubernetes kills the pod: a longer drain would turn
    /// a graceful stop into a SIGKILL in the middle of it. One rule over both settings, which no attribute expresses.
    /// </summary>
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        var gracePeriod = SettingName.Of(typeof(ShutdownOptions), nameof(TerminationGracePeriodSeconds));
        var inFlight = InFlightGrace.TotalSeconds;
        if (TerminationGracePeriodSeconds < inFlight)
        {
            yield return new ValidationResult(
                $"{gracePeriod} is {TerminationGracePeriodSeconds}; expected the pod's terminationGracePeriodSeconds, " +
                $"at least {inFlight} (seconds), the time in-flight requests get after the drain.");
            yield break;
        }
        var longest = TimeSpan.FromSeconds(TerminationGracePeriodSeconds) - InFlightGrace;
        if (DrainDelay < TimeSpan.Zero || DrainDelay > longest)
        {
            yield return new ValidationResult(
                $"{SettingName.Of(typeof(ShutdownOptions), nameof(DrainDelay))} is {DrainDelay:c}; expected a duration from 00:00:00 to {longest:c} (hh:mm:ss): " +
                $"the drain and {inFlight} s for in-flight requests must fit in the pod's {TerminationGracePeriodSeconds} s grace period, set by {gracePeriod}.");
        }
    }
}
