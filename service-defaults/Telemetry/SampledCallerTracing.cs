using System.Diagnostics;
using Microsoft.Extensions.Hosting;

namespace MinikubeDemo.ServiceDefaults.Telemetry;

/// <summary>
/// Where no trace exporter is configured: a request whose caller sent a sampled W3C <c>traceparent</c> still gets
/// its server Activity, and the fetcher's call to the server a child one, so the caller's trace runs on through
/// both services (HttpClient sends the child's traceparent) and their log lines carry its ids. Any other request
/// gets no Activity at all: ASP.NET Core's hosting makes one only when an ActivitySource listener samples it, a
/// DiagnosticListener asks for it, or its <c>Microsoft.AspNetCore.Hosting.Diagnostics</c> logger is on
/// (LoggingDefaults turns that one off).
/// </summary>
internal sealed class SampledCallerTracing : IHostedLifecycleService, IDisposable
{
    /// <summary>The sources of the per-request server Activity and of HttpClient's client Activity.</summary>
    private static readonly string[] Sources = ["Microsoft.AspNetCore", "System.Net.Http"];

    private readonly ActivityListener _listener = new()
    {
        ShouldListenTo = source => Sources.Contains(source.Name),
        Sample = static (ref ActivityCreationOptions<ActivityContext> options) =>
            options.Parent.TraceFlags.HasFlag(ActivityTraceFlags.Recorded) ? ActivitySamplingResult.AllDataAndRecorded : ActivitySamplingResult.None,
    };

    // Before the server starts, so that its first request is covered.
    public Task StartingAsync(CancellationToken cancellationToken)
    {
        ActivitySource.AddActivityListener(_listener);
        return Task.CompletedTask;
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public void Dispose() => _listener.Dispose();
}
