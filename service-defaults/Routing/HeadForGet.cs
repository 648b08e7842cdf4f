using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Primitives;

namespace MinikubeDemo.ServiceDefaults.Routing;

/// <summary>
/// HTTP says that a resource which answers GET answers HEAD too (RFC 9110, 9.3.2), and probes, monitors and proxies
/// rely on it; minimal APIs map exactly the methods they are given. This adds, for every GET endpoint of the
/// application that does not take HEAD, wherever and whenever it is mapped, a HEAD twin: the same route, handler and
/// metadata, for HEAD only. Kestrel sends no body for HEAD, so the twin answers the GET's status and headers.
/// </summary>
public static class HeadForGet
{
    public static IEndpointRouteBuilder MapHeadForGet(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        endpoints.DataSources.Add(new TwinDataSource(endpoints.DataSources));
        return endpoints;
    }

    /// <summary>
    /// The twins of the endpoints of the other data sources, made when routing first asks, which is after the
    /// application has mapped all of them.
    /// </summary>
    private sealed class TwinDataSource : EndpointDataSource
    {
        private readonly Lazy<IReadOnlyList<Endpoint>> _twins;

        public TwinDataSource(ICollection<EndpointDataSource> siblings) =>
            _twins = new(() => [.. siblings.Where(source => source != this).SelectMany(source => source.Endpoints).SelectMany(Twin)]);

        public override IReadOnlyList<Endpoint> Endpoints => _twins.Value;

        // The services map every endpoint before they start, and never change them afterwards.
        public override IChangeToken GetChangeToken() => NullChangeToken.Singleton;

        private static IEnumerable<Endpoint> Twin(Endpoint endpoint)
        {
            if (endpoint is not RouteEndpoint { RequestDelegate: { } handler } route
                || endpoint.Metadata.GetMetadata<IHttpMethodMetadata>() is not { } methods
                || !methods.HttpMethods.Contains(HttpMethods.Get, StringComparer.OrdinalIgnoreCase)
                || methods.HttpMethods.Contains(HttpMethods.Head, StringComparer.OrdinalIgnoreCase))
            {
                yield break;
            }

            IEnumerable<object> metadata =
            [
                // Its GET's name stays its GET's alone (names must be unique), and the document and link generation
                // describe the GET, which HEAD follows by definition.
                .. endpoint.Metadata.Where(item => item is not (IHttpMethodMetadata or IEndpointNameMetadata or IRouteNameMetadata)),
                new HttpMethodMetadata([HttpMethods.Head], methods.AcceptCorsPreflight),
                new ExcludeFromDescriptionAttribute(),
                new SuppressLinkGenerationMetadata(),
            ];
            yield return new RouteEndpoint(handler, route.RoutePattern, route.Order, new EndpointMetadataCollection(metadata), $"HEAD {endpoint.DisplayName}");
        }
    }
}
