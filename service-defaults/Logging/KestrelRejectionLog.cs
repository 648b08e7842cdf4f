using System.Diagnostics;
using Microsoft.AspNetCore.Http.Features;

namespace MinikubeDemo.ServiceDefaults.Logging;

/// <summary>
/// The request-log line of a request Kestrel answered itself before any middleware ran (400, a slowloris's 408, 414,
/// 431), which it reports to the host's <see cref="DiagnosticListener"/>.
/// </summary>
internal sealed class KestrelRejectionLog(ILogger logger) : IObserver<KeyValuePair<string, object?>>
{
    public static IDisposable Subscribe(DiagnosticListener listener, ILogger logger) =>
        listener.Subscribe(new KestrelRejectionLog(logger), static name => name == "Microsoft.AspNetCore.Server.Kestrel.BadRequest");

    public void OnNext(KeyValuePair<string, object?> value)
    {
        if (value.Value is not IFeatureCollection features
            || features.Get<IBadRequestExceptionFeature>()?.Error is not BadHttpRequestException rejection
            // Once the response has started, the pipeline answered, and the request log middleware logged it.
            || features.Get<IHttpResponseFeature>()?.HasStarted == true
            || !logger.IsEnabled(LogLevel.Information))
        {
            return;
        }
        var request = features.Get<IHttpRequestFeature>();
        // The path in URL form, as the middleware logs it; a target Kestrel could not parse is escaped as it came.
        var path = request?.Path is ['/', ..] parsed ? new PathString(parsed).ToUriComponent() : request?.Path;
        var method = RequestLogging.Field(request?.Method, RequestLogging.MaxMethodLength);
        var (target, reason) = (RequestLogging.Field(path), LogText.Escape(rejection.Message));
        RequestLogging.Rejected(logger, method, target, rejection.StatusCode, reason);
    }

    public void OnError(Exception error) { }

    public void OnCompleted() { }
}
