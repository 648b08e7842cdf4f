using Microsoft.AspNetCore.Mvc.Testing;
using MinikubeDemo.TestSupport;

namespace MinikubeDemo.ServerFetcher.Tests;

/// <summary>The shared behaviour (health, drain, CORS, request log, instance header, OpenAPI) on the fetcher.</summary>
public sealed class FetcherDefaultsTests : ServiceDefaultsContractTests<Program>
{
    // No server is needed: these checks use only the fetcher's own endpoints.
    protected override WebApplicationFactory<Program> CreateApp() => new FetcherApp(new Uri("http://127.0.0.1:9"));
}
