using Microsoft.Extensions.Configuration.Memory;
using Microsoft.Extensions.Logging.Console;
using MinikubeDemo.ServiceDefaults.Settings;

namespace MinikubeDemo.ServiceDefaults.Logging;

/// <summary>Log settings every service starts from, as the lowest-priority configuration source: anything else overrides them.</summary>
internal static class LoggingDefaults
{
    private static readonly Dictionary<string, string?> Defaults = new()
    {
        // The request log is the one line per request; ASP.NET Core's own per-request lines would double it.
        ["Logging:LogLevel:Default"] = "Information",
        ["Logging:LogLevel:Microsoft.AspNetCore"] = "Warning",
        // On at any level, it has the host make an Activity and a log scope for every request (bench/TUNING.md).
        ["Logging:LogLevel:Microsoft.AspNetCore.Hosting.Diagnostics"] = "None",
        // Polly logs every attempt, with a stack trace for each failed one; the fetcher logs what matters, one line each.
        ["Logging:LogLevel:Polly"] = "None",
        // An unhealthy check is logged as an error, on every probe: readiness failing during the drain is expected.
        ["Logging:LogLevel:Microsoft.Extensions.Diagnostics.HealthChecks"] = "None",
        ["Logging:Console:FormatterName"] = "simple",
        // A stalled standard output (a slow log collector) costs lines, never blocked requests; 10,000 lines ride out a
        // quarter second's stall at 40,000 requests/s and hold a few MB.
        ["Logging:Console:QueueFullMode"] = "DropWrite",
        ["Logging:Console:MaxQueueLength"] = "10000",
        ["Logging:Console:FormatterOptions:SingleLine"] = "true",
        ["Logging:Console:FormatterOptions:UseUtcTimestamp"] = "true",
        ["Logging:Console:FormatterOptions:TimestampFormat"] = "yyyy-MM-ddTHH:mm:ss.fffZ ",
    };

    public static WebApplicationBuilder AddLoggingDefaults(this WebApplicationBuilder builder)
    {
        builder.Configuration.Sources.Insert(0, new MemoryConfigurationSource { InitialData = Defaults });
        // A JSON line carries its request's trace and span ids (as a scope); the one-line text formats leave scopes out.
        builder.Logging.Configure(options =>
            options.ActivityTrackingOptions = ActivityTrackingOptions.TraceId | ActivityTrackingOptions.SpanId | ActivityTrackingOptions.ParentId);
        builder.Services.Configure<JsonConsoleFormatterOptions>(json => json.IncludeScopes = true);
        // The slim builder has only the simple formatter and ignores Logging:Console: this adds json and systemd and binds it.
        builder.Logging.AddConsole();
        builder.Services.Configure<ConsoleLoggerOptions>(builder.Configuration.GetSection("Logging:Console"));
        // The simple line needs the timestamp format's trailing space as a separator; a JSON value must not carry it.
        builder.Services.PostConfigure<JsonConsoleFormatterOptions>(json => json.TimestampFormat = json.TimestampFormat?.TrimEnd());
        builder.CheckSection<ConsoleLoggerOptions>("Logging:Console");
        builder.CheckSection<SimpleConsoleFormatterOptions>("Logging:Console:FormatterOptions");
        return builder;
    }
}
