using Microsoft.Extensions.Options;
using MinikubeDemo.ServiceDefaults.Hosting;

namespace MinikubeDemo.ServiceDefaults.Shutdown;

/// <summary>
/// The drain delay and the in-flight grace after it must end before Kubernetes kills the pod: a longer drain
/// would turn a graceful stop into a SIGKILL in the middle of it.
/// </summary>
public sealed class ShutdownOptionsValidator : IValidateOptions<ShutdownOptions>
{
    private static readonly string DrainDelay = SettingName.Of($"{ShutdownOptions.SectionName}:{nameof(ShutdownOptions.DrainDelay)}");
    private static readonly string GracePeriod = SettingName.Of($"{ShutdownOptions.SectionName}:{nameof(ShutdownOptions.TerminationGracePeriodSeconds)}");

    public ValidateOptionsResult Validate(string? name, ShutdownOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var inFlight = ShutdownOptions.InFlightGrace.TotalSeconds;
        if (options.TerminationGracePeriodSeconds < inFlight)
        {
            return ValidateOptionsResult.Fail(
                $"{GracePeriod} is {options.TerminationGracePeriodSeconds}; expected the pod's terminationGracePeriodSeconds, " +
                $"at least {inFlight} (seconds), the time in-flight requests get after the drain.");
        }
        var longest = TimeSpan.FromSeconds(options.TerminationGracePeriodSeconds) - ShutdownOptions.InFlightGrace;
        if (options.DrainDelay < TimeSpan.Zero || options.DrainDelay > longest)
        {
            return ValidateOptionsResult.Fail(
                $"{DrainDelay} is {options.DrainDelay:c}; expected a duration from 00:00:00 to {longest:c} (hh:mm:ss): the drain and " +
                $"{inFlight} s for in-flight requests must fit in the pod's {options.TerminationGracePeriodSeconds} s grace period, set by {GracePeriod}.");
        }
        return ValidateOptionsResult.Success;
    }
}
