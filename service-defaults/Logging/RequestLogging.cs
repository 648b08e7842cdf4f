using System.Diagnostics;

namespace MinikubeDemo.ServiceDefaults.Logging;

/// <summary>
/// One log line per request, like Hono's <c>logger()</c> (<c>GET / 200 0.412ms</c>), in the console logger's format,
/// Kestrel's own rejections included. Method, path and reason came from outside: escaped and cut before any logger.
/// </summary>
public static partial class RequestLogging
{
    /// <summary>The log category, so the request log can be filtered or silenced on its own.</summary>
    public const string Category = "MinikubeDemo.RequestLog";

    /// <summary>The longest method kept: the longest registered one (<c>UPDATEREDIRECTREF</c>) is 17 characters.</summary>
    public const int MaxMethodLength = 24;

    // Not ASP.NET Core's HttpLogging: it cannot write Hono's "GET / 200 0.412ms" nor escape or cut the fields from
    // outside, and it cost 7.8 % more instructions per request (bench/TUNING.md).
    public static IApplicationBuilder UseRequestLogging(this IApplicationBuilder app)
    {
        var logger = app.ApplicationServices.GetRequiredService<ILoggerFactory>().CreateLogger(Category);
        // Lives as long as the host's listener, which the host disposes.
        KestrelRejectionLog.Subscribe(app.ApplicationServices.GetRequiredService<DiagnosticListener>(), logger);
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
                    var elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                    var method = Field(context.Request.Method, MaxMethodLength);
                    var path = Field(context.Request.Path.ToUriComponent());
                    Request(logger, method, path, context.Response.StatusCode, elapsed);
                }
            }
        });
    }

    /// <summary>A field from outside, escaped and cut; <c>-</c> when a request came without it.</summary>
    internal static string Field(string? text, int maxLength = LogText.DefaultMaxLength) =>
        LogText.Escape(text, maxLength) is { Length: > 0 } escaped ? escaped : "-";

    /// <param name="path">The path as it would appear in a URL (percent-encoded), so a line can't be split by the request.</param>
    [LoggerMessage(EventId = 1, EventName = "Request", Level = LogLevel.Information, Message = "{Method} {Path} {StatusCode} {ElapsedMilliseconds:0.000}ms")]
    internal static partial void Request(ILogger logger, string method, string path, int statusCode, double elapsedMilliseconds);

    /// <summary>A request that Kestrel answered itself (400, 408, 414, 431, ...): no middleware ran, so no duration.</summary>
    [LoggerMessage(EventId = 2, EventName = "RequestRejected", Level = LogLevel.Information, Message = "{Method} {Path} {StatusCode} rejected: {Reason}")]
    internal static partial void Rejected(ILogger logger, string method, string path, int statusCode, string reason);
}
