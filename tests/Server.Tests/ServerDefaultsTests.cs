using Microsoft.AspNetCore.Mvc.Testing;
using MinikubeDemo.TestSupport;

namespace MinikubeDemo.Server.Tests;

/// <summary>The shared behaviour (health, drain, CORS, request log, instance header, OpenAPI) on the server.</summary>
public sealed class ServerDefaultsTests : ServiceDefaultsContractTests<Program>
{
    protected override WebApplicationFactory<Program> CreateApp() => new ServerApp();
}
