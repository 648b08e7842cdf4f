using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using MinikubeDemo.Contract;
using MinikubeDemo.ServiceDefaults.Shutdown;

namespace MinikubeDemo.ServiceDefaults.Health;

/// <summary>
/// Liveness and readiness for Kubernetes probes. Neither calls a dependency: a failing upstream must not
/// restart the fetcher (liveness) nor take every fetcher out of its Service at once (readiness).
/// </summary>
public static class HealthEndpoints
{
    public const string LivenessPath = "/healthz";
    public const string ReadinessPath = "/readyz";

    public static IEndpointRouteBuilder MapHealthEndpoints(this IEndpointRouteBuilder endpoints)
    {
        var health = endpoints.MapGroup("").WithTags("Health");

        health.MapGet(LivenessPath, () => TypedResults.Ok(HealthResponse.Healthy))
            .WithName("Liveness")
            .WithSummary("Liveness: the process is up and serving.");

        health.MapGet(ReadinessPath, Results<Ok<HealthResponse>, JsonHttpResult<HealthResponse>> (DrainState drain) =>
                drain.IsDraining
                    ? TypedResults.Json(HealthResponse.Draining, ContractJsonContext.Default.HealthResponse,
                        statusCode: StatusCodes.Status503ServiceUnavailable)
                    : TypedResults.Ok(HealthResponse.Healthy))
            .Produces<HealthResponse>(StatusCodes.Status503ServiceUnavailable)
            .WithName("Readiness")
            .WithSummary("Readiness: 503 once the service is draining after SIGTERM.");

        return endpoints;
    }
}
