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
    /// <summary>The longest pod name: a DNS subdomain.</summary>
    private const int MaxInstanceLength = 253;

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

    private static async Task<Results<Ok<MessageResponse>, ProblemHttpResult>> HandleAsync(
        UpstreamClient upstream, HttpResponse response, ILogger<UpstreamClient> logger, CancellationToken cancellationToken)
    {
        try
        {
            var fetched = await upstream.GetMessageAsync(cancellationToken);
            // Which server replica answered, so that load balancing can be seen through the fetcher. Only what can be a
            // pod's name (printable ASCII, not too long) is passed on; anything else did not come from one of the pods,
            // and an encoded copy would still pass on whatever the upstream chose.
            switch (fetched.Instance)
            {
                case { Length: <= MaxInstanceLength } podName when !podName.AsSpan().ContainsAnyExceptInRange(' ', '~'):
                    response.Headers[DemoContract.Headers.UpstreamInstance] = podName;
                    break;
                case { } other:
                    LogInstanceDropped(logger, other.Length, MaxInstanceLength);
                    break;
            }
            // Which address the Service name led to: the ClusterIP in a cluster (Figure 2 of the chapter).
            if (fetched.Address is { } address)
            {
                response.Headers[DemoContract.Headers.UpstreamAddress] = address;
            }
            return TypedResults.Ok(new MessageResponse(DemoContract.Fetcher.Prefix + fetched.Message));
        }
        catch (UpstreamException e)
        {
            LogUpstreamFailed(logger, e.Title, LogText.Escape(e.Reason));
            if (e.RetryAfter is { } retryAfter)
            {
                response.Headers.RetryAfter = Math.Ceiling(retryAfter.TotalSeconds).ToString(CultureInfo.InvariantCulture);
            }
            // The same detail in every environment: the log has the whole reason.
            return TypedResults.Problem(detail: e.Message, statusCode: e.Status, title: e.Title);
        }
    }

    [LoggerMessage(EventId = 21, Level = LogLevel.Warning,
        Message = "The upstream's X-Instance ({Length} characters) is not printable ASCII of at most {MaxLength} characters, so X-Upstream-Instance is left out")]
    private static partial void LogInstanceDropped(ILogger logger, int length, int maxLength);

    [LoggerMessage(EventId = 20, Level = LogLevel.Warning, Message = "Upstream call failed ({Failure}): {Detail}")]
    private static partial void LogUpstreamFailed(ILogger logger, string failure, string detail);
}
