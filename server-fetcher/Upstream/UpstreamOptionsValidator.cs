using Microsoft.Extensions.Options;

namespace MinikubeDemo.ServerFetcher.Upstream;

/// <summary>Fails the start, naming the setting, rather than the first request.</summary>
public sealed class UpstreamOptionsValidator : IValidateOptions<UpstreamOptions>
{
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

        RequirePositive(failures, nameof(options.AttemptTimeout), options.AttemptTimeout);
        RequirePositive(failures, nameof(options.TotalTimeout), options.TotalTimeout);
        RequirePositive(failures, nameof(options.RetryBaseDelay), options.RetryBaseDelay);
        RequirePositive(failures, nameof(options.PooledConnectionLifetime), options.PooledConnectionLifetime);
        if (options.AttemptTimeout > options.TotalTimeout)
        {
            failures.Add($"{Setting(nameof(options.AttemptTimeout))} ({options.AttemptTimeout}) must not exceed {Setting(nameof(options.TotalTimeout))} ({options.TotalTimeout}).");
        }
        if (options.MaxRetryAttempts is < 0 or > 10)
        {
            failures.Add($"{Setting(nameof(options.MaxRetryAttempts))} is {options.MaxRetryAttempts}; it must be between 0 and 10.");
        }
        if (options.BreakerFailureRatio is <= 0 or > 1)
        {
            failures.Add($"{Setting(nameof(options.BreakerFailureRatio))} is {options.BreakerFailureRatio}; it must be in (0, 1].");
        }
        if (options.BreakerMinimumThroughput < 2)
        {
            failures.Add($"{Setting(nameof(options.BreakerMinimumThroughput))} is {options.BreakerMinimumThroughput}; it must be at least 2.");
        }
        // Polly's own lower bound for both durations.
        var halfSecond = TimeSpan.FromMilliseconds(500);
        if (options.BreakerSamplingDuration < halfSecond)
        {
            failures.Add($"{Setting(nameof(options.BreakerSamplingDuration))} is {options.BreakerSamplingDuration}; it must be at least 00:00:00.5.");
        }
        if (options.BreakerBreakDuration < halfSecond)
        {
            failures.Add($"{Setting(nameof(options.BreakerBreakDuration))} is {options.BreakerBreakDuration}; it must be at least 00:00:00.5.");
        }
        if (options.MaxResponseBytes <= 0)
        {
            failures.Add($"{Setting(nameof(options.MaxResponseBytes))} is {options.MaxResponseBytes}; it must be positive.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void RequirePositive(List<string> failures, string property, TimeSpan value)
    {
        if (value <= TimeSpan.Zero)
        {
            failures.Add($"{Setting(property)} is {value}; it must be positive.");
        }
    }

    /// <summary>The setting as configuration and as an environment variable name it.</summary>
    private static string Setting(string property) =>
        $"{UpstreamOptions.SectionName}:{property} (env {UpstreamOptions.SectionName}__{property})";
}
