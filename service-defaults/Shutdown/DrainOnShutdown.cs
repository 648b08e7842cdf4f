using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace MinikubeDemo.ServiceDefaults.Shutdown;

/// <summary>
/// Makes SIGTERM lose no request: the host signals ApplicationStopping (this readiness check fails, clients are asked to
/// reconnect), then calls <see cref="StoppingAsync"/> before it stops Kestrel, which keeps answering through the delay
/// while Kubernetes takes the pod out of its Service; then Kestrel stops accepting and finishes in-flight requests.
/// </summary>
internal sealed partial class DrainOnShutdown(IOptions<ShutdownOptions> options, TimeProvider time, IHostApplicationLifetime lifetime, ILogger<DrainOnShutdown> logger)
    : IHostedLifecycleService, IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(lifetime.ApplicationStopping.IsCancellationRequested ? HealthCheckResult.Unhealthy("Draining after SIGTERM") : HealthCheckResult.Healthy());

    public async Task StoppingAsync(CancellationToken cancellationToken)
    {
        LogDraining(logger, options.Value.DrainDelay.TotalSeconds);
        // Cancelled when the host's shutdown timeout runs out first: then stop now rather than fail the shutdown.
        await Task.Delay(options.Value.DrainDelay, time, cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(EventId = 10, Level = LogLevel.Information, Message = "Stopping: not ready, draining for {DrainSeconds:0.###} s before closing the listener")]
    private static partial void LogDraining(ILogger logger, double drainSeconds);
}
