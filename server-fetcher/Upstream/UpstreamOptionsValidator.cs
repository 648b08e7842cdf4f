using Microsoft.Extensions.Options;
using MinikubeDemo.ServiceDefaults.Settings;

namespace MinikubeDemo.ServerFetcher.Upstream;

/// <summary>Fails the start, naming the setting, rather than the first request.</summary>
public sealed class UpstreamOptionsValidator : IValidateOptions<UpstreamOptions>
{
    private static readonly TimeSpan PollyMinimumTimeout = TimeSpan.FromMilliseconds(10);
    private static readonly TimeSpan HalfSecond = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan OneDay = TimeSpan.FromDays(1);

    public ValidateOptionsResult Validate(string? name, UpstreamOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();

        if (!Uri.TryCreate(options.BaseUrl, UriKind.Absolute, out var baseUri)
            || (baseUri.Scheme != Uri.UriSchemeHttp && baseUri.Scheme != Uri.UriSchemeHttps)
            || string.IsNullOrEmpty(baseUri.Host))
        {
            failures.Add($"{Setting(nameof(options.BaseUrl))} is '{options.BaseUrl}', which is not an absolute http(s) URL; " +
                         "expected something like http://minikube-demo-server-service:8000.");
        }

        // Polly's own bounds, checked here so that a bad value fails the start, not the first request.
        RequireWithin(failures, nameof(options.AttemptTimeout), options.AttemptTimeout, PollyMinimumTimeout, OneDay);
        RequireWithin(failures, nameof(options.TotalTimeout), options.TotalTimeout, PollyMinimumTimeout, OneDay);
        RequireWithin(failures, nameof(options.RetryBaseDelay), options.RetryBaseDelay, TimeSpan.Zero, OneDay);
        RequireWithin(failures, nameof(options.BreakerSamplingDuration), options.BreakerSamplingDuration, HalfSecond, OneDay);
        RequireWithin(failures, nameof(options.BreakerBreakDuration), options.BreakerBreakDuration, HalfSecond, OneDay);
        RequireWithin(failures, nameof(options.PooledConnectionLifetime), options.PooledConnectionLifetime, TimeSpan.Zero, OneDay);
        if (options.AttemptTimeout > options.TotalTimeout)
        {
            failures.Add($"{Setting(nameof(options.AttemptTimeout))} ({options.AttemptTimeout}) must not exceed {Setting(nameof(options.TotalTimeout))} ({options.TotalTimeout}).");
        }
        RequireWithin(failures, nameof(options.MaxRetryAttempts), options.MaxRetryAttempts, 0, 10);
        if (options.BreakerFailureRatio is <= 0 or > 1)
        {
            failures.Add($"{Setting(nameof(options.BreakerFailureRatio))} is {options.BreakerFailureRatio}; it must be in (0, 1].");
        }
        RequireWithin(failures, nameof(options.BreakerMinimumThroughput), options.BreakerMinimumThroughput, 2, int.MaxValue);
        // The body is read into one pooled buffer: a message is a few bytes, so megabytes mean something is wrong.
        RequireWithin(failures, nameof(options.MaxResponseBytes), options.MaxResponseBytes, 1, 16 * 1024 * 1024);

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void RequireWithin<T>(List<string> failures, string property, T value, T minimum, T maximum)
        where T : IComparable<T>
    {
        if (value.CompareTo(minimum) < 0 || value.CompareTo(maximum) > 0)
        {
            failures.Add($"{Setting(property)} is {value}; it must be between {minimum} and {maximum}.");
        }
    }

    /// <summary>The setting as configuration and as an environment variable name it.</summary>
    private static string Setting(string property) => SettingName.Of($"{UpstreamOptions.SectionName}:{property}");
}
