using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace MinikubeDemo.ServiceDefaults.Health;

/// <summary>
/// Readiness: unhealthy once the host is stopping, so that <c>/readyz</c> answers 503 through the drain. It calls no
/// dependency: a failing upstream must not take every fetcher out of its Service at once.
/// </summary>
internal sealed class DrainingHealthCheck(IHostApplicationLifetime lifetime) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(lifetime.ApplicationStopping.IsCancellationRequested ? HealthCheckResult.Unhealthy("Draining after SIGTERM") : HealthCheckResult.Healthy());
}
