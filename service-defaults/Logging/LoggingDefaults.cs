using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Configuration.Memory;

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
        // Polly's own telemetry logs every attempt, with a full stack trace for each failed one; the fetcher
        // logs retries, circuit changes and failures itself, one line each.
        ["Logging:LogLevel:Polly"] = "None",
        ["Logging:Console:FormatterName"] = "simple",
        ["Logging:Console:FormatterOptions:SingleLine"] = "true",
        ["Logging:Console:FormatterOptions:UseUtcTimestamp"] = "true",
        ["Logging:Console:FormatterOptions:TimestampFormat"] = "yyyy-MM-ddTHH:mm:ss.fffZ ",
    };

    public static void AddAsLowestPrioritySource(IConfigurationBuilder configuration) =>
        configuration.Sources.Insert(0, new MemoryConfigurationSource { InitialData = Defaults });
}
