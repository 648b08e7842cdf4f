using System.Diagnostics;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;

namespace MinikubeDemo.ServiceDefaults.Logging;

/// <summary>
/// One log line per request, like Hono's <c>logger()</c>: method, path, status and duration. It is on every
/// request's path, so it costs little: a struct state (no boxing), a <see cref="Stopwatch.GetTimestamp"/> timer
/// (no allocation), and its own console output that batches lines (<see cref="RequestLogProvider"/>).
/// </summary>
public static class RequestLogging
{
    /// <summary>The log category, so the request log can be filtered or silenced on its own.</summary>
    public const string Category = "MinikubeDemo.RequestLog";

    /// <summary>Writes the request log to the console through <see cref="RequestLogProvider"/> instead of the console logger.</summary>
    public static ILoggingBuilder AddRequestLog(this ILoggingBuilder logging)
    {
        logging.Services.TryAddEnumerable(ServiceDescriptor.Singleton<ILoggerProvider, RequestLogProvider>());
        logging.AddFilter<ConsoleLoggerProvider>(Category, LogLevel.None);
        return logging;
    }

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
                    var entry = new RequestLogEntry(context.Request.Method, context.Request.Path.ToUriComponent(),
                        context.Response.StatusCode, (long)Stopwatch.GetElapsedTime(started).TotalMicroseconds);
                    logger.Log(LogLevel.Information, RequestLogEntry.EventId, entry, null, RequestLogEntry.Formatter);
                }
            }
        });
    }
}
