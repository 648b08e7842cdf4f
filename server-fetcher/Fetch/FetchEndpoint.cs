using System.Buffers;
using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.OpenApi;
using MinikubeDemo.Contract;
using MinikubeDemo.ServerFetcher.Upstream;
using MinikubeDemo.ServiceDefaults;
using MinikubeDemo.ServiceDefaults.Logging;

namespace MinikubeDemo.ServerFetcher.Fetch;

/// <summary><c>GET /</c>: the course's fetcher, which asks the server for its message and answers "Fetched: " + it.</summary>
public static partial class FetchEndpoint
{
    public static RouteHandlerBuilder MapFetch(this IEndpointRouteBuilder endpoints) =>
        endpoints.MapMethods("/", ServiceDefaultsExtensions.GetAndHead, HandleAsync)
            .WithName("GetFetchedMessage")
            .WithSummary("Fetches the server's message through its Service and answers \"Fetched: \" + it.")
            .ProducesProblem(StatusCodes.Status502BadGateway)
            .ProducesProblem(StatusCodes.Status504GatewayTimeout)
            .AddOpenApiOperationTransformer((operation, _, _) =>
            {
                if (operation.Responses?["200"] is not OpenApiResponse ok)
                {
                    throw new InvalidOperationException("GET / documents no 200 answer.");
                }
                ok.Headers ??= new Dictionary<string, IOpenApiHeader>();
                ok.Headers[DemoContract.Headers.UpstreamInstance] = StringHeader("The server pod that answered (its X-Instance).");
                ok.Headers[DemoContract.Headers.UpstreamAddress] = StringHeader(
                    "The address and port the fetcher connected to for the call that answered: in a cluster the Service's ClusterIP, behind a headless Service or on a Docker network the replica itself.");
                return Task.CompletedTask;
            });

    private static OpenApiHeader StringHeader(string description) =>
        new() { Description = description, Schema = new OpenApiSchema { Type = JsonSchemaType.String } };

    private static async Task<Results<Ok<MessageResponse>, ProblemHttpResult>> HandleAsync(
        UpstreamClient upstream, HttpResponse response, ILogger<UpstreamClient> logger, CancellationToken cancellationToken)
    {
        try
        {
            var fetched = await upstream.GetMessageAsync(cancellationToken);
            if (fetched.Instance is { } instance)
            {
                // Which server replica answered, passed on so that load balancing can be seen through the fetcher.
                if (IsPodName(instance))
                {
                    response.Headers[DemoContract.Headers.UpstreamInstance] = instance;
                }
                else
                {
                    LogInstanceDropped(logger, instance.Length, MaxInstanceLength);
                }
            }
            if (fetched.Address is { } address)
            {
                // Which address the Service name led to: the ClusterIP in a cluster (Figure 2 of the chapter).
                response.Headers[DemoContract.Headers.UpstreamAddress] = address;
            }
            return TypedResults.Ok(new MessageResponse(DemoContract.Fetcher.Prefix + fetched.Message));
        }
        catch (UpstreamException e)
        {
            LogUpstreamFailed(logger, e.Failure, LogText.Escape(e.Reason));
            if (e.RetryAfter is { } retryAfter)
            {
                response.Headers.RetryAfter = Math.Ceiling(retryAfter.TotalSeconds).ToString(CultureInfo.InvariantCulture);
            }
            var (status, title) = Describe(e.Failure);
            // The same detail in every environment: the log has the whole reason.
            return TypedResults.Problem(detail: e.Message, statusCode: status, title: title);
        }
    }

    /// <summary>The longest pod name: a DNS subdomain.</summary>
    private const int MaxInstanceLength = 253;

    private static readonly SearchValues<char> PrintableAscii = SearchValues.Create(
        Enumerable.Range(' ', '~' - ' ' + 1).Select(c => (char)c).ToArray());

    /// <summary>
    /// Whether the upstream's <c>X-Instance</c> can be one of its pods' names: printable ASCII, at most as long as a
    /// pod name. Anything else (non-ASCII or control characters, which Kestrel refuses to send) is dropped, not
    /// encoded: it did not come from one of the pods, and an encoded copy would still pass on whatever the upstream chose.
    /// </summary>
    private static bool IsPodName(string instance) =>
        instance.Length <= MaxInstanceLength && !instance.AsSpan().ContainsAnyExcept(PrintableAscii);

    /// <summary>Running out of time is a gateway timeout; every other bad answer is a bad gateway.</summary>
    private static (int Status, string Title) Describe(UpstreamFailure failure) => failure switch
    {
        UpstreamFailure.Timeout => (StatusCodes.Status504GatewayTimeout, "The upstream server did not answer in time"),
        UpstreamFailure.Unreachable => (StatusCodes.Status502BadGateway, "The upstream server could not be reached"),
        UpstreamFailure.ErrorStatus => (StatusCodes.Status502BadGateway, "The upstream server answered with an error"),
        UpstreamFailure.InvalidBody => (StatusCodes.Status502BadGateway, "The upstream server answered an invalid body"),
        UpstreamFailure.TooLarge => (StatusCodes.Status502BadGateway, "The upstream server answered too large a body"),
        UpstreamFailure.CircuitOpen => (StatusCodes.Status502BadGateway, "The upstream server is failing; calls are paused"),
        _ => throw new ArgumentOutOfRangeException(nameof(failure), failure, null),
    };

    [LoggerMessage(EventId = 21, Level = LogLevel.Warning,
        Message = "The upstream's X-Instance ({Length} characters) is not printable ASCII of at most {MaxLength} characters, so X-Upstream-Instance is left out")]
    private static partial void LogInstanceDropped(ILogger logger, int length, int maxLength);

    [LoggerMessage(EventId = 20, Level = LogLevel.Warning, Message = "Upstream call failed ({Failure}): {Detail}")]
    private static partial void LogUpstreamFailed(ILogger logger, UpstreamFailure failure, string detail);
}
