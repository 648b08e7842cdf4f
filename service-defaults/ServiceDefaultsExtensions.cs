using System.Globalization;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using MinikubeDemo.Contract;
using MinikubeDemo.ServiceDefaults.Hosting;
using MinikubeDemo.ServiceDefaults.Logging;
using MinikubeDemo.ServiceDefaults.Settings;
using MinikubeDemo.ServiceDefaults.Shutdown;
using MinikubeDemo.ServiceDefaults.Telemetry;

namespace MinikubeDemo.ServiceDefaults;

/// <summary>What every service of the demo does the same way, so that each Program.cs only tells its own story.</summary>
public static class ServiceDefaultsExtensions
{
    /// <summary>HTTP says that what answers GET answers HEAD too (RFC 9110, 9.3.2); probes and monitors rely on it.</summary>
    public static readonly string[] GetAndHead = [HttpMethods.Get, HttpMethods.Head];

    public static WebApplicationBuilder AddServiceDefaults(this WebApplicationBuilder builder)
    {
        // The course's port 8000, not Kestrel's 5000, unless urls, http_ports or https_ports say otherwise.
        if (new[] { WebHostDefaults.ServerUrlsKey, WebHostDefaults.HttpPortsKey, WebHostDefaults.HttpsPortsKey }.All(key => string.IsNullOrEmpty(builder.Configuration[key])))
        {
            builder.WebHost.UseSetting(WebHostDefaults.HttpPortsKey, DemoContract.Port.ToString(CultureInfo.InvariantCulture));
        }
        // An idle keep-alive connection holds about 10 KiB of heap, and a pod's GC heap is 75 % of its limit (96 MiB of
        // 128 Mi): past 3,000 connections Kestrel closes new ones at once (bench/TUNING.md).
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Limits.MaxConcurrentConnections = 3_000);
        builder.AddLoggingDefaults();
        builder.Services.ConfigureHttpJsonOptions(options => options.SerializerOptions.TypeInfoResolverChain.Insert(0, ContractJsonContext.Default));
        builder.Services.AddProblemDetails();
        builder.Services.AddOpenApi(options => options.AddDocumentTransformer((document, _, _) =>
        {
            // No `servers`: it would echo the caller's Host header; without it, paths are relative to where the document was fetched.
            document.Servers = [];
            // HEAD follows GET by definition: its operation would only repeat the GET's, under the same operationId.
            foreach (var path in document.Paths.Values)
            {
                path.Operations?.Remove(HttpMethod.Head);
            }
            return Task.CompletedTask;
        }));
        // Open like Hono's cors(): any origin, header and method.
        builder.Services.AddCors(cors => cors.AddDefaultPolicy(policy => policy.AllowAnyOrigin().AllowAnyHeader().AllowAnyMethod()));

        var instance = InstanceName.FromEnvironment();
        builder.Services.AddSingleton(instance);
        builder.AddTelemetry(instance);
        builder.Services.TryAddSingleton(TimeProvider.System);
        // No dependency is checked: a failing upstream must neither restart the fetcher nor empty its Service.
        builder.Services.AddHealthChecks()
            .AddCheck("self", () => HealthCheckResult.Healthy(), ["live"])
            .AddCheck<DrainOnShutdown>("draining", tags: ["ready"]); // The singleton below, not a new instance per probe.
        builder.Services.AddOptions<ShutdownOptions>().BindConfiguration(ShutdownOptions.SectionName).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<ShutdownOptions>, ShutdownOptionsValidator>();
        builder.CheckSection<ShutdownOptions>(ShutdownOptions.SectionName);
        builder.Services.AddSingleton<DrainOnShutdown>().AddHostedService(services => services.GetRequiredService<DrainOnShutdown>());
        // The host's shutdown budget must cover the drain plus the in-flight requests that follow it.
        builder.Services.AddOptions<HostOptions>().Configure<IOptions<ShutdownOptions>>((host, shutdown) =>
            host.ShutdownTimeout = shutdown.Value.DrainDelay + ShutdownOptions.InFlightGrace);
        return builder;
    }

    /// <summary>The middleware every request passes, in order.</summary>
    public static WebApplication UseServiceDefaults(this WebApplication app)
    {
        // First, so that every response names its replica, the ones answered before the rest of the pipeline too.
        app.UseMiddleware<InstanceHeaderMiddleware>();
        // Outermost of the rest, so it also sees the status the exception handler sets.
        app.UseRequestLogging();
        app.UseExceptionHandler();
        app.UseCors();
        return app;
    }

    /// <summary>The endpoints every service has besides its own: liveness, readiness, OpenAPI and metrics.</summary>
    public static WebApplication MapDefaultEndpoints(this WebApplication app)
    {
        app.MapHealthChecks("/healthz", new HealthCheckOptions { Predicate = check => check.Tags.Contains("live") }).WithMetadata(new HttpMethodMetadata(GetAndHead));
        app.MapHealthChecks("/readyz", new HealthCheckOptions { Predicate = check => check.Tags.Contains("ready") }).WithMetadata(new HttpMethodMetadata(GetAndHead));
        app.MapOpenApi().WithMetadata(new HttpMethodMetadata(GetAndHead));
        app.MapPrometheusScrapingEndpoint(TelemetryDefaults.MetricsPath);
        return app;
    }
}
