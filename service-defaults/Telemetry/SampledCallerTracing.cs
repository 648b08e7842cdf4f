using System.Diagnostics;

namespace MinikubeDemo.ServiceDefaults.Telemetry;

/// <summary>
/// Without a trace exporter, a caller's sampled W3C <c>traceparent</c> still runs on through both services (and their
/// log lines carry its ids); any other request gets no Activity at all, since none samples it.
/// </summary>
internal sealed class SampledCallerTracing : IHostedService, IDisposable
{
    private readonly ActivityListener _listener = new()
    {
        // The sources of the per-request server Activity and of HttpClient's client Activity.
        ShouldListenTo = source => source.Name is "Microsoft.AspNetCore" or "System.Net.Http",
        Sample = static (ref ActivityCreationOptions<ActivityContext> options) =>
            options.Parent.TraceFlags.HasFlag(ActivityTraceFlags.Recorded) ? ActivitySamplingResult.AllDataAndRecorded : ActivitySamplingResult.None,
    };

    // The host makes every hosted service before it starts any, Kestrel included: the first request is covered.
    public SampledCallerTracing() => ActivitySource.AddActivityListener(_listener);

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public void Dispose() => _listener.Dispose();
}
