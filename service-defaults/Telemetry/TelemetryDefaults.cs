using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using MinikubeDemo.ServiceDefaults.Hosting;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace MinikubeDemo.ServiceDefaults.Telemetry;

/// <summary>
/// OpenTelemetry as the reference service defaults set it up: ASP.NET Core's, HttpClient's and the runtime's
/// meters, scraped at <c>GET /metrics</c>; and where <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> names a collector, the
/// same metrics and the traces of each request and of the calls it makes, pushed over OTLP (the exporter reads
/// the other standard variables: <c>OTEL_EXPORTER_OTLP_PROTOCOL</c>, <c>_HEADERS</c>, <c>_TIMEOUT</c>,
/// <c>OTEL_METRIC_EXPORT_INTERVAL</c>, <c>OTEL_BSP_*</c>).
/// </summary>
internal static class TelemetryDefaults
{
    public const string MetricsPath = "/metrics";

    private static readonly (string Instrument, string Name)[] RuntimeCountRenames =
    [
        ("dotnet.assembly.count", "dotnet.assemblies"),
        ("dotnet.process.cpu.count", "dotnet.process.cpus"),
        ("dotnet.timer.count", "dotnet.timers"),
    ];

    public static void AddTelemetry(this WebApplicationBuilder builder, InstanceName instance)
    {
        var otlp = !string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]);
        var telemetry = builder.Services.AddOpenTelemetry()
            // service.name and service.instance.id; OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES still win.
            .ConfigureResource(resource => resource
                .AddService(builder.Environment.ApplicationName, serviceInstanceId: instance.Value, autoGenerateServiceInstanceId: false)
                .AddEnvironmentVariableDetector())
            .WithMetrics(metrics =>
            {
                metrics.AddAspNetCoreInstrumentation()
                    .AddHttpClientInstrumentation()
                    .AddRuntimeInstrumentation()
                    .AddPrometheusExporter();
                // Prometheus keeps a "_count" suffix for histograms and summaries (promtool rejects it elsewhere), so
                // the runtime's three counts of things get names without it.
                foreach (var (runtimeName, prometheusName) in RuntimeCountRenames)
                {
                    metrics.AddView(runtimeName, prometheusName);
                }
                if (otlp)
                {
                    metrics.AddOtlpExporter();
                }
            });

        if (otlp)
        {
            telemetry.WithTracing(tracing => tracing
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddOtlpExporter());
        }
        else
        {
            // No exporter, no tracer provider: its ASP.NET Core instrumentation would have the host make an Activity
            // for every request, sampled or not. Only a sampled caller's trace is carried on.
            builder.Services.AddHostedService<SampledCallerTracing>();
        }
    }
}
