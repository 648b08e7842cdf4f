using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using MinikubeDemo.Contract;
using MinikubeDemo.ServiceDefaults.Health;
using MinikubeDemo.ServiceDefaults.Hosting;
using MinikubeDemo.ServiceDefaults.Logging;
using MinikubeDemo.ServiceDefaults.Routing;
using MinikubeDemo.ServiceDefaults.Shutdown;
using MinikubeDemo.ServiceDefaults.Telemetry;

namespace MinikubeDemo.ServiceDefaults;

/// <summary>
/// What every service of the demo does the same way, so that each Program.cs only tells its own story.
/// </summary>
public static class ServiceDefaultsExtensions
{
    public static WebApplicationBuilder AddServiceDefaults(this WebApplicationBuilder builder)
    {
        ListenOnDefaultPortUnlessConfigured(builder);
        ListenAddresses.AddValidation(builder.Services, builder.Configuration);
        builder.WebHost.LimitConnectionsForASmallPod();
        builder.AddLoggingDefaults();

        builder.Services.ConfigureHttpJsonOptions(options =>
            options.SerializerOptions.TypeInfoResolverChain.Insert(0, ContractJsonContext.Default));
        builder.Services.AddProblemDetails();
        // The document is served to whoever asks, so it is built from nothing the request says: without it, its
        // `servers` URL echoes the caller's Host header (and a cache in front would keep the poisoned copy). No
        // `servers` means "relative to where the document was fetched", right behind any ingress or port-forward.
        builder.Services.AddOpenApi(options => options.AddDocumentTransformer((document, _, _) =>
        {
            document.Servers = [];
            return Task.CompletedTask;
        }));

        // Open like Hono's cors(): any origin, header and method.
        builder.Services.AddCors(cors => cors.AddDefaultPolicy(policy =>
            policy.AllowAnyOrigin().AllowAnyHeader().AllowAnyMethod()));

        var instance = InstanceName.FromEnvironment();
        builder.Services.AddSingleton(instance);
        builder.AddTelemetry(instance);
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<DrainState>();
        builder.Services.AddOptions<ShutdownOptions>()
            .BindConfiguration(ShutdownOptions.SectionName)
            .ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<ShutdownOptions>, ShutdownOptionsValidator>();
        builder.Services.AddHostedService<DrainOnShutdown>();
        builder.Services.AddHostedService<IdleMemoryTrim>();
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

    /// <summary>The endpoints every service has besides its own: health, readiness, OpenAPI and metrics.</summary>
    public static WebApplication MapDefaultEndpoints(this WebApplication app)
    {
        app.MapHeadForGet();
        app.MapHealthEndpoints();
        app.MapOpenApi();
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
