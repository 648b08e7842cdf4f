using System.ComponentModel.DataAnnotations;
using MinikubeDemo.ServiceDefaults.Settings;

namespace MinikubeDemo.ServiceDefaults.Shutdown;

/// <summary>Settings under <c>Shutdown</c> (environment: <c>Shutdown__DrainDelay</c>, <c>Shutdown__TerminationGracePeriodSeconds</c>).</summary>
public sealed class ShutdownOptions : IValidatableObject
{
    public const string SectionName = "Shutdown";

    /// <summary>Time left after the drain delay for in-flight requests to finish before the host gives up.</summary>
    public static readonly TimeSpan InFlightGrace = TimeSpan.FromSeconds(10);

    /// <summary>How long the service keeps serving after SIGTERM, unready, so that Kubernetes can take the pod out of its Service first.</summary>
    public TimeSpan DrainDelay { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>The pod's <c>terminationGracePeriodSeconds</c> (no downward API field carries it), with Kubernetes' default.</summary>
    public int TerminationGracePeriodSeconds { get; set; } = 30;

    /// <summary>The drain and the in-flight grace must end before Kubernetes kills the pod: a rule over two settings.</summary>
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        var gracePeriod = SettingsCheck.NameOf(typeof(ShutdownOptions), nameof(TerminationGracePeriodSeconds));
        var longest = TimeSpan.FromSeconds(TerminationGracePeriodSeconds) - InFlightGrace;
        if (longest < TimeSpan.Zero)
        {
            yield return new ValidationResult($"{gracePeriod} is {TerminationGracePeriodSeconds}; expected the pod's terminationGracePeriodSeconds, " +
                                              $"at least {InFlightGrace.TotalSeconds} (seconds), the time in-flight requests get after the drain.");
        }
        else if (DrainDelay < TimeSpan.Zero || DrainDelay > longest)
        {
            yield return new ValidationResult($"{SettingsCheck.NameOf(typeof(ShutdownOptions), nameof(DrainDelay))} is {DrainDelay:c}; expected a duration from 00:00:00 " +
                $"to {longest:c} (hh:mm:ss): the drain and {InFlightGrace.TotalSeconds} s for in-flight requests must fit in the pod's " +
                $"{TerminationGracePeriodSeconds} s grace period, set by {gracePeriod}.");
        }
    }
}
