namespace MinikubeDemo.ServerFetcher.Upstream;

/// <summary>What the resilience pipeline did, one line each (Polly's own logs are off: see LoggingDefaults).</summary>
internal static partial class UpstreamLog
{
    [LoggerMessage(EventId = 30, Level = LogLevel.Warning, Message = "Upstream attempt {Attempt} failed ({Reason}); retrying in {DelayMilliseconds:0} ms")]
    public static partial void Retrying(ILogger logger, int attempt, string reason, double delayMilliseconds);

    [LoggerMessage(EventId = 31, Level = LogLevel.Error, Message = "Upstream circuit opened for {BreakSeconds:0.###} s after repeated failures ({Reason})")]
    public static partial void CircuitOpened(ILogger logger, double breakSeconds, string reason);

    [LoggerMessage(EventId = 32, Level = LogLevel.Information, Message = "Upstream circuit closed: the upstream answers again")]
    public static partial void CircuitClosed(ILogger logger);
}
