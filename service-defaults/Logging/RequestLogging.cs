using System.Diagnostics;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace MinikubeDemo.ServiceDefaults.Logging;

/// <summary>
/// One log line per request, like Hono's <c>logger()</c>: method, path, status and duration, written by the
/// console logger in its configured format (simple, systemd or json) like every other line. It also records the
/// requests Kestrel answered itself (<see cref="KestrelRejectionLog"/>), so every answer has its line.
/// </summary>
public static class RequestLogging
{
    /// <summary>The log category, so the request log can be filtered or silenced on its own.</summary>
    public const string Category = "MinikubeDemo.RequestLog";

    // This small middleware rather than ASP.NET Core's HttpLogging with CombineLogs: HttpLogging cannot write Hono's
    // one-line "GET / 200 0.412ms" nor escape or cut the fields that came from outside, and it cost 7.8 % more
    // instructions per request (bench/TUNING.md, "The request log on the platform").
    public static IApplicationBuilder UseRequestLogging(this IApplicationBuilder app)
    {
        var logger = app.ApplicationServices.GetRequiredService<ILoggerFactory>().CreateLogger(Category);
        if (app.ApplicationServices.GetService<DiagnosticListener>() is { } diagnostics)
        {
            // Lives as long as the host's listener, which the host disposes.
            KestrelRejectionLog.Subscribe(diagnostics, logger);
        }
        return app.Use(async (context, next) =>
        {
            var started = Stopwatch.GetTimestamp();
            try
            {
                await next(context);
            }
            finally
            {
                if (logger.IsEnabled(LogLevel.Information))
                {
                    var entry = new RequestLogEntry(context.Request.Method, context.Request.Path.ToUriComponent(),
                        context.Response.StatusCode, (long)Stopwatch.GetElapsedTime(started).TotalMicroseconds);
                    logger.Log(LogLevel.Information, RequestLogEntry.EventId, entry, null, RequestLogEntry.Formatter);
                }
            }
        });
    }
}
