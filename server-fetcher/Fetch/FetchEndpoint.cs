using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Microsoft.OpenApi;
using MinikubeDemo.Contract;
using MinikubeDemo.ServerFetcher.Upstream;
using MinikubeDemo.ServiceDefaults;
using MinikubeDemo.ServiceDefaults.Logging;
using Polly.CircuitBreaker;
using Polly.Timeout;

namespace MinikubeDemo.ServerFetcher.Fetch;

/// <summary>
/// <c>GET /</c>: the course's fetcher, which asks the server for its message through the resilient client
/// (<see cref="UpstreamRegistration"/>) and answers "Fetched: " + it, or a problem that names the failure and the
/// configured upstream URL, nothing else: exception texts can quote the upstream's bytes, resolved addresses and .NET
/// types, so they go to the log only.
/// </summary>
public static partial class FetchEndpoint
{
    private const int MaxInstanceLength = 253; // The longest pod name: a DNS subdomain.

    public static RouteHandlerBuilder MapFetch(this IEndpointRouteBuilder endpoints) =>
        endpoints.MapMethods("/", ServiceDefaultsExtensions.GetAndHead, HandleAsync)
            .WithName("GetFetchedMessage")
            .WithSummary("Fetches the server's message through its Service and answers \"Fetched: \" + it.")
            .ProducesProblem(StatusCodes.Status502BadGateway)
            .ProducesProblem(StatusCodes.Status504GatewayTimeout)
            .AddOpenApiOperationTransformer((operation, _, _) =>
            {
                var ok = (OpenApiResponse)operation.Responses!["200"];
                ok.Headers ??= new Dictionary<string, IOpenApiHeader>();
                ok.Headers[DemoContract.Headers.UpstreamInstance] = StringHeader("The server pod that answered (its X-Instance).");
                ok.Headers[DemoContract.Headers.UpstreamAddress] = StringHeader("The address and port the fetcher connected to for the call " +
                    "that answered: in a cluster the Service's ClusterIP, behind a headless Service or on a Docker network the replica itself.");
                return Task.CompletedTask;
            });

    private static OpenApiHeader StringHeader(string description) =>
        new() { Description = description, Schema = new OpenApiSchema { Type = JsonSchemaType.String } };

    private static async Task<Results<Ok<MessageResponse>, ProblemHttpResult>> HandleAsync([FromKeyedServices(UpstreamRegistration.ClientName)] HttpClient upstream,
        IOptions<UpstreamOptions> options, TimeProvider time, HttpResponse response, ILogger<UpstreamCall> logger, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        using var request = new HttpRequestMessage(HttpMethod.Get, settings.BaseUrl);
        var call = new UpstreamCall(request, time);
        ProblemHttpResult Fail(string title, string detail, Exception? cause = null, TimeSpan? retryAfter = null, int status = StatusCodes.Status502BadGateway)
        {
            // The whole reason: what the exception and the one at its root say, which can quote the upstream's bytes.
            string[] reasons = [detail, cause?.Message ?? "", cause?.GetBaseException().Message ?? ""];
            LogUpstreamFailed(logger, title, LogText.Escape(string.Join(" <- ", reasons.Where(reason => reason.Length > 0).Distinct())));
            if (retryAfter is { } wait)
            {
                // The caller is told when to come back: when the circuit closes, or when the upstream said it expects to be ready.
                response.Headers.RetryAfter = Math.Ceiling(wait.TotalSeconds).ToString(CultureInfo.InvariantCulture);
            }
            // The same detail in every environment: the log has the whole reason.
            return TypedResults.Problem(detail: detail, statusCode: status, title: title);
        }
        try
        {
            // The attempt handler has read the body already: nothing is left for HttpClient to buffer.
            using var answer = await upstream.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            if (!answer.IsSuccessStatusCode)
            {
                var (status, retryAfter) = ((int)answer.StatusCode, call.RetryAfter(answer));
                return Fail("The upstream server answered with an error", call.RetryAfterPastBudget
                    ? $"{settings.BaseUrl} answered {status} and asked to be called again in {Math.Ceiling(retryAfter.GetValueOrDefault().TotalSeconds):0} s, later than the time budget allows."
                    : $"{settings.BaseUrl} answered {status}{(call.Attempts > 1 ? ", also when retried" : "")}.", retryAfter: retryAfter);
            }
        }
        // Not the caller going away (OperationCanceledException): nobody is left to answer then.
        catch (Exception e) when (e is TimeoutRejectedException or BrokenCircuitException or InvalidDataException or JsonException or HttpRequestException or IOException)
        {
            return e switch
            {
                // Whichever timeout fired, the attempt's or the whole call's, the detail says both and what was tried.
                TimeoutRejectedException => Fail("The upstream server did not answer in time", $"{settings.BaseUrl} did not answer in time: {call.Attempts} " +
                    $"{(call.Attempts == 1 ? "attempt" : "attempts")} of at most {settings.AttemptTimeout.TotalMilliseconds:0} ms each, within a total budget of " +
                    $"{settings.TotalTimeout.TotalMilliseconds:0} ms.", e, status: StatusCodes.Status504GatewayTimeout),
                BrokenCircuitException open => Fail("The upstream server is failing; calls are paused",
                    $"{settings.BaseUrl} failed repeatedly, so calls to it are paused for a while.", e, open.RetryAfter),
                InvalidDataException => Fail("The upstream server answered too large a body",
                    $"{settings.BaseUrl} answered a body over the {settings.MaxResponseBytes}-byte limit (Upstream:MaxResponseBytes).", e),
                JsonException => Fail("The upstream server answered an invalid body", $"{settings.BaseUrl} answered a body that is not JSON with a string \"message\".", e),
                _ => Fail("The upstream server could not be reached", $"{settings.BaseUrl} could not be reached.", e),
            };
        }
        // Which server replica answered, so that load balancing can be seen through the fetcher. Only what can be a pod's
        // name (printable ASCII, not too long) is passed on: anything else did not come from one of the pods.
        switch (call.Instance)
        {
            case { Length: <= MaxInstanceLength } podName when !podName.AsSpan().ContainsAnyExceptInRange(' ', '~'):
                response.Headers[DemoContract.Headers.UpstreamInstance] = podName;
                break;
            case { } other:
                LogInstanceDropped(logger, other.Length, MaxInstanceLength);
                break;
        }
        // Which address the Service name led to: the ClusterIP in a cluster (Figure 2 of the chapter).
        response.Headers[DemoContract.Headers.UpstreamAddress] = call.Address;
        return TypedResults.Ok(new MessageResponse(DemoContract.Fetcher.Prefix + call.Message));
    }

    [LoggerMessage(EventId = 21, Level = LogLevel.Warning, Message = "The upstream's X-Instance ({Length} characters) is not printable ASCII of at most {MaxLength} characters, so X-Upstream-Instance is left out")]
    private static partial void LogInstanceDropped(ILogger logger, int length, int maxLength);

    [LoggerMessage(EventId = 20, Level = LogLevel.Warning, Message = "Upstream call failed ({Failure}): {Detail}")]
    private static partial void LogUpstreamFailed(ILogger logger, string failure, string detail);
}
