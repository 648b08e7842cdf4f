using System.Net;
using Microsoft.Extensions.DependencyInjection;
using MinikubeDemo.ServiceDefaults.Shutdown;

namespace MinikubeDemo.Server.Tests;

public sealed class HealthTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("/healthz")]
    [InlineData("/readyz")]
    public async Task Health_endpoints_answer_healthy_while_serving(string path)
    {
        await using var app = new ServerApp();
        using var client = app.CreateClient();

        using var response = await client.GetAsync(path, Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("""{"status":"Healthy"}""", await response.Content.ReadAsStringAsync(Ct));
    }

    [Fact]
    public async Task While_draining_readiness_fails_liveness_holds_and_requests_are_still_served_with_connection_close()
    {
        await using var app = new ServerApp();
        using var client = app.CreateClient();

        app.Services.GetRequiredService<DrainState>().BeginDraining();

        using var ready = await client.GetAsync("/readyz", Ct);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        Assert.Equal("""{"status":"Draining"}""", await ready.Content.ReadAsStringAsync(Ct));

        using var live = await client.GetAsync("/healthz", Ct);
        Assert.Equal(HttpStatusCode.OK, live.StatusCode);

        using var root = await client.GetAsync("/", Ct);
        Assert.Equal(HttpStatusCode.OK, root.StatusCode);
        Assert.True(root.Headers.ConnectionClose, "a draining replica asks keep-alive clients to reconnect elsewhere");
    }

    [Fact]
    public async Task Responses_keep_connections_alive_while_not_draining()
    {
        await using var app = new ServerApp();
        using var client = app.CreateClient();

        using var root = await client.GetAsync("/", Ct);

        Assert.NotEqual(true, root.Headers.ConnectionClose);
    }
}
