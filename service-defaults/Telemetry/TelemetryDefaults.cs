using MinikubeDemo.ServiceDefaults.Hosting;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace MinikubeDemo.ServiceDefaults.Telemetry;

/// <summary>
/// OpenTelemetry as the reference service defaults set it up: ASP.NET Core's, HttpClient's and the runtime's meters,
/// scraped at <c>GET /metrics</c>; and where <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> names a collector, the same metrics and
/// the traces of each request and of the calls it makes, pushed over OTLP (the exporter reads the other standard
/// variables: <c>OTEL_EXPORTER_OTLP_PROTOCOL</c>, <c>_HEADERS</c>, <c>OTEL_METRIC_EXPORT_INTERVAL</c>, ...).
/// </summary>
internal static class TelemetryDefaults
{
    public const string MetricsPath = "/metrics";

    /// <summary>The platform's own meters, which is all OpenTelemetry's metrics instrumentation packages add on .NET 9 and later.</summary>
    private static readonly string[] Meters =
        ["Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Server.Kestrel", "Microsoft.AspNetCore.Routing", "Microsoft.AspNetCore.Diagnostics", "System.Net.Http", "System.Runtime"];

    public static void AddTelemetry(this WebApplicationBuilder builder, InstanceName instance)
    {
        var otlp = !string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]);
        var telemetry = builder.Services.AddOpenTelemetry()
            // OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES still win.
            .ConfigureResource(resource => resource
                .AddService(builder.Environment.ApplicationName, serviceInstanceId: instance.Value, autoGenerateServiceInstanceId: false)
                .AddEnvironmentVariableDetector())
            .WithMetrics(metrics =>
            {
                metrics.AddMeter(Meters).AddPrometheusExporter()
                    // promtool rejects a "_count" suffix on anything but a histogram.
                    .AddView("dotnet.assembly.count", "dotnet.assemblies")
                    .AddView("dotnet.process.cpu.count", "dotnet.process.cpus")
                    .AddView("dotnet.timer.count", "dotnet.timers");
                if (otlp)
                {
                    metrics.AddOtlpExporter();
                }
            });
        if (otlp)
        {
            // HttpClient's own activity follows the semantic conventions; ASP.NET Core's gets its name ("GET /") and tags
            // from the instrumentation.
            telemetry.WithTracing(tracing => tracing.AddAspNetCoreInstrumentation().AddSource("System.Net.Http").AddOtlpExporter());
        }
        else
        {
            // No exporter, no tracer provider, which would have the host make an Activity for every request.
            builder.Services.AddHostedService<SampledCallerTracing>();
        }
    }
}
