using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Configuration.Memory;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;
using MinikubeDemo.ServiceDefaults.Settings;

namespace MinikubeDemo.ServiceDefaults.Logging;

/// <summary>
/// Log settings every service starts from, as the lowest-priority configuration source: appsettings files,
/// environment variables (<c>Logging__Console__FormatterName=json</c> for a cluster's log collector) and the
/// command line still override each value.
/// </summary>
internal static class LoggingDefaults
{
    private static readonly Dictionary<string, string?> Defaults = new()
    {
        // The request log is the one line per request; ASP.NET Core's own per-request lines would double it.
        ["Logging:LogLevel:Default"] = "Information",
        ["Logging:LogLevel:Microsoft.AspNetCore"] = "Warning",
        // Whenever this category is on at any level, the host makes an Activity and a log scope for every request
        // (13 % of the server's instructions per request, bench/TUNING.md); at Warning it has nothing left
        // to say but a start-up failure, which also ends the process with its exception. Traces come from
        // SampledCallerTracing or the OpenTelemetry tracer instead.
        ["Logging:LogLevel:Microsoft.AspNetCore.Hosting.Diagnostics"] = "None",
        // Polly's own telemetry logs every attempt, with a full stack trace for each failed one; the fetcher
        // logs retries, circuit changes and failures itself, one line each.
        ["Logging:LogLevel:Polly"] = "None",
        ["Logging:Console:FormatterName"] = "simple",
        // The console logger formats each line on the logging thread and writes it from its own, through this
        // queue. A standard output that stalls (a slow log collector) must cost lines, never requests: DropWrite
        // drops (and counts) lines instead of blocking request threads once the queue is full. 10,000 lines ride
        // out a quarter second's stall at 40,000 requests/s, and hold at most a few MB in a 128 MiB pod.
        ["Logging:Console:QueueFullMode"] = "DropWrite",
        ["Logging:Console:MaxQueueLength"] = "10000",
        ["Logging:Console:FormatterOptions:SingleLine"] = "true",
        ["Logging:Console:FormatterOptions:UseUtcTimestamp"] = "true",
        ["Logging:Console:FormatterOptions:TimestampFormat"] = "yyyy-MM-ddTHH:mm:ss.fffZ ",
    };

    public static WebApplicationBuilder AddLoggingDefaults(this WebApplicationBuilder builder)
    {
        builder.Configuration.Sources.Insert(0, new MemoryConfigurationSource { InitialData = Defaults });
        // A JSON line carries the trace and span of the request it belongs to (as a scope), so a line can be found
        // from a trace and a trace from a line. Scopes stay out of the one-line text formats.
        builder.Logging.Configure(options =>
            options.ActivityTrackingOptions = ActivityTrackingOptions.TraceId | ActivityTrackingOptions.SpanId | ActivityTrackingOptions.ParentId);
        builder.Services.Configure<JsonConsoleFormatterOptions>(json => json.IncludeScopes = true);
        // The slim builder registers only the simple console formatter and ignores Logging:Console:FormatterName;
        // this adds json and systemd and binds the section, so that Logging__Console__FormatterName=json works.
        builder.Logging.AddConsole();
        builder.Services.Configure<ConsoleLoggerOptions>(builder.Configuration.GetSection("Logging:Console"));
        // The simple line needs the timestamp format's trailing space as a separator; a JSON value must not carry it.
        builder.Services.PostConfigure<JsonConsoleFormatterOptions>(json => json.TimestampFormat = json.TimestampFormat?.TrimEnd());
        // A value these sections cannot hold (Logging__Console__FormatterOptions__SingleLine=maybe) is named in one line.
        builder.CheckSection<ConsoleLoggerOptions>("Logging:Console");
        builder.CheckSection<SimpleConsoleFormatterOptions>("Logging:Console:FormatterOptions");
        return builder;
    }
}
