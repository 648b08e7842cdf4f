using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;

namespace MinikubeDemo.ServiceDefaults.Health;

/// <summary>
/// Readiness: unhealthy once the host is stopping, so that <c>/readyz</c> answers 503 through the drain delay and
/// Kubernetes takes the pod out of its Service's endpoints while it still serves. It calls no dependency: a failing
/// upstream must not take every fetcher out of its Service at once.
/// </summary>
internal sealed class DrainingHealthCheck(IHostApplicationLifetime lifetime) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(lifetime.ApplicationStopping.IsCancellationRequested
            ? HealthCheckResult.Unhealthy("Draining after SIGTERM")
            : HealthCheckResult.Healthy());
}
