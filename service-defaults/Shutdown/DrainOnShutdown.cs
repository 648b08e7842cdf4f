using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace MinikubeDemo.ServiceDefaults.Shutdown;

/// <summary>
/// Makes SIGTERM lose no request. The host signals ApplicationStopping and then calls <see cref="StoppingAsync"/>
/// before it stops any hosted service, Kestrel included, so during the delay here the service still accepts and
/// answers while <c>/readyz</c> says 503 and every response asks its client to close the connection. Kubernetes
/// meanwhile removes the pod from the Service's endpoints; then Kestrel stops accepting and finishes in-flight requests.
/// </summary>
internal sealed partial class DrainOnShutdown(IOptions<ShutdownOptions> options, TimeProvider time, ILogger<DrainOnShutdown> logger)
    : IHostedLifecycleService
{
    public async Task StoppingAsync(CancellationToken cancellationToken)
    {
        var delay = options.Value.DrainDelay;
        LogDraining(logger, delay.TotalSeconds);
        try
        {
            await Task.Delay(delay, time, cancellationToken);
        }
        catch (OperationCanceledException)
        {
            // The host's shutdown timeout ran out first: stop now rather than fail the shutdown.
        }
    }

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(EventId = 10, Level = LogLevel.Information, Message = "Stopping: not ready, draining for {DrainSeconds:0.###} s before closing the listener")]
    private static partial void LogDraining(ILogger logger, double drainSeconds);
}
