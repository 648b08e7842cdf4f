using System.Net;
using MinikubeDemo.Contract;

namespace MinikubeDemo.Server.Tests;

public sealed class RootEndpointTests : IClassFixture<ServerApp>
{
    private readonly HttpClient _client;

    public RootEndpointTests(ServerApp app) => _client = app.CreateClient();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Get_root_answers_the_course_greeting_as_json()
    {
        using var response = await _client.GetAsync("/", Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(DemoContract.Server.Body, await response.Content.ReadAsStringAsync(Ct));
    }

    [Fact]
    public async Task Unknown_paths_are_404()
    {
        using var response = await _client.GetAsync("/nope", Ct);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }
}
