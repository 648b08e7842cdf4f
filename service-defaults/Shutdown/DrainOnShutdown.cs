using Microsoft.Extensions.Options;

namespace MinikubeDemo.ServiceDefaults.Shutdown;

/// <summary>
/// Makes SIGTERM lose no request. The host signals ApplicationStopping (readiness fails, responses ask clients to
/// close their connections) and then calls <see cref="StoppingAsync"/> before it stops any hosted service, Kestrel
/// included: during the delay here the service still answers while Kubernetes takes the pod out of its Service's
/// endpoints; then Kestrel stops accepting and finishes in-flight requests.
/// </summary>
internal sealed partial class DrainOnShutdown(IOptions<ShutdownOptions> options, TimeProvider time, ILogger<DrainOnShutdown> logger) : IHostedLifecycleService
{
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
