using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using MinikubeDemo.Contract;
using MinikubeDemo.ServiceDefaults.Health;
using MinikubeDemo.ServiceDefaults.Hosting;
using MinikubeDemo.ServiceDefaults.Logging;
using MinikubeDemo.ServiceDefaults.Settings;
using MinikubeDemo.ServiceDefaults.Shutdown;
using MinikubeDemo.ServiceDefaults.Telemetry;

namespace MinikubeDemo.ServiceDefaults;

/// <summary>
/// What every service of the demo does the same way, so that each Program.cs only tells its own story.
/// </summary>
public static class ServiceDefaultsExtensions
{
    /// <summary>HTTP says that what answers GET answers HEAD too (RFC 9110, 9.3.2); probes and monitors rely on it.</summary>
    public static readonly string[] GetAndHead = [HttpMethods.Get, HttpMethods.Head];

    /// <summary>
    /// Kestrel takes any number of connections by default, and each idle keep-alive one keeps about 10 KiB of live
    /// heap. In a pod the runtime caps the GC heap at 75 % of the memory limit (96 MiB of the manifests' 128 Mi), so
    /// about 10,000 idle connections exhaust it. Past this limit Kestrel closes new connections at once, which bounds
    /// what they hold to about 35 MiB (measured: bench/TUNING.md); a Service spreads more callers over more replicas.
    /// </summary>
    public const long MaxConcurrentConnections = 3_000;

    private const string Live = "live";
    private const string Ready = "ready";

    public static WebApplicationBuilder AddServiceDefaults(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ListenOnDefaultPortUnlessConfigured(builder);
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Limits.MaxConcurrentConnections = MaxConcurrentConnections);
        builder.AddLoggingDefaults();

        builder.Services.ConfigureHttpJsonOptions(options =>
            options.SerializerOptions.TypeInfoResolverChain.Insert(0, ContractJsonContext.Default));
        builder.Services.AddProblemDetails();
        builder.Services.AddOpenApi(options => options.AddDocumentTransformer((document, _, _) =>
        {
            // The document is served to whoever asks, so it is built from nothing the request says: without this, its
            // `servers` URL echoes the caller's Host header (and a cache in front would keep the poisoned copy). No
            // `servers` means "relative to where the document was fetched", right behind any ingress or port-forward.
            document.Servers = [];
            // HEAD follows GET by definition; a twin operation would only repeat it, under the same operationId.
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

        // Liveness runs no dependency check (a failing upstream must not restart the fetcher); readiness fails while draining.
        builder.Services.AddHealthChecks()
            .AddCheck("self", () => HealthCheckResult.Healthy(), [Live])
            .AddCheck<DrainingHealthCheck>("draining", tags: [Ready]);
        builder.Services.AddOptions<ShutdownOptions>().BindConfiguration(ShutdownOptions.SectionName).ValidateOnStart();
        builder.AddSettingsCheck<ShutdownOptions, ShutdownOptionsValidator>(ShutdownOptions.SectionName);
        builder.Services.AddHostedService<DrainOnShutdown>();
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
        app.MapHealthChecks("/healthz", new HealthCheckOptions { Predicate = check => check.Tags.Contains(Live) }).WithMetadata(new HttpMethodMetadata(GetAndHead));
        app.MapHealthChecks("/readyz", new HealthCheckOptions { Predicate = check => check.Tags.Contains(Ready) }).WithMetadata(new HttpMethodMetadata(GetAndHead));
        app.MapOpenApi().WithMetadata(new HttpMethodMetadata(GetAndHead));
        app.MapPrometheusScrapingEndpoint(TelemetryDefaults.MetricsPath);
        return app;
    }

    private static void ListenOnDefaultPortUnlessConfigured(WebApplicationBuilder builder)
    {
        // ASPNETCORE_URLS / --urls and ASPNETCORE_HTTP_PORTS / ASPNETCORE_HTTPS_PORTS win; otherwise the course's 8000, not Kestrel's 5000.
        string?[] configured =
        [
            builder.Configuration[WebHostDefaults.ServerUrlsKey],
            builder.Configuration[WebHostDefaults.HttpPortsKey],
            builder.Configuration[WebHostDefaults.HttpsPortsKey],
        ];
        if (configured.All(string.IsNullOrEmpty))
        {
            builder.WebHost.UseSetting(WebHostDefaults.HttpPortsKey, DemoContract.Port.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
    }
}
