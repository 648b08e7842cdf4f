using System.Net;
using MinikubeDemo.ServiceDefaults.Hosting;

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
        Assert.Equal("""{"message":"Hello world!"}""", await response.Content.ReadAsStringAsync(Ct));
    }

    [Fact]
    public async Task Every_response_names_the_instance_that_served_it()
    {
        using var response = await _client.GetAsync("/", Ct);

        Assert.Equal(InstanceName.FromEnvironment().Value, Assert.Single(response.Headers.GetValues(InstanceName.Header)));
    }

    [Fact]
    public async Task Cors_is_open_to_any_origin_like_honos_default()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/");
        request.Headers.Add("Origin", "http://example.test");

        using var response = await _client.SendAsync(request, Ct);

        Assert.Equal("*", Assert.Single(response.Headers.GetValues("Access-Control-Allow-Origin")));
    }

    [Fact]
    public async Task Cors_preflight_is_answered()
    {
        using var request = new HttpRequestMessage(HttpMethod.Options, "/");
        request.Headers.Add("Origin", "http://example.test");
        request.Headers.Add("Access-Control-Request-Method", "DELETE");
        request.Headers.Add("Access-Control-Request-Headers", "content-type");

        using var response = await _client.SendAsync(request, Ct);

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Equal("*", Assert.Single(response.Headers.GetValues("Access-Control-Allow-Origin")));
        Assert.Contains("DELETE", response.Headers.GetValues("Access-Control-Allow-Methods"));
        Assert.Contains("content-type", response.Headers.GetValues("Access-Control-Allow-Headers"));
    }

    [Fact]
    public async Task Unknown_paths_are_404()
    {
        using var response = await _client.GetAsync("/nope", Ct);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }
}
