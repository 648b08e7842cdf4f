using System.Diagnostics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace MinikubeDemo.ServiceDefaults.Logging;

/// <summary>
/// One log line per request, like Hono's <c>logger()</c>: method, path, status and duration.
/// It sits on the hot path, so it is a source-generated <see cref="LoggerMessageAttribute"/> (no boxing,
/// no formatting when the level is off) timed with <see cref="Stopwatch.GetTimestamp"/> (no allocation).
/// </summary>
public static partial class RequestLogging
{
    /// <summary>The log category, so the request log can be filtered or silenced on its own.</summary>
    public const string Category = "MinikubeDemo.RequestLog";

    public static IApplicationBuilder UseRequestLogging(this IApplicationBuilder app)
    {
        var logger = app.ApplicationServices.GetRequiredService<ILoggerFactory>().CreateLogger(Category);
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
                    var elapsedMilliseconds = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                    LogRequest(logger, context.Request.Method, context.Request.Path, context.Response.StatusCode, elapsedMilliseconds);
                }
            }
        });
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Information, SkipEnabledCheck = true, Message = "{Method} {Path} {StatusCode} {ElapsedMilliseconds:0.###}ms")]
    private static partial void LogRequest(ILogger logger, string method, PathString path, int statusCode, double elapsedMilliseconds);
}
