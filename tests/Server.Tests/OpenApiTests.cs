using System.Text.Json;

namespace MinikubeDemo.Server.Tests;

public sealed class OpenApiTests(ServerApp app) : IClassFixture<ServerApp>
{
    [Fact]
    public async Task The_document_describes_the_greeting_and_the_health_endpoints()
    {
        using var client = app.CreateClient();
        using var document = JsonDocument.Parse(await client.GetStringAsync("/openapi/v1.json", TestContext.Current.CancellationToken));
        var root = document.RootElement;
        var paths = root.GetProperty("paths");

        var greeting = paths.GetProperty("/").GetProperty("get").GetProperty("responses").GetProperty("200")
            .GetProperty("content").GetProperty("application/json").GetProperty("schema").GetProperty("$ref").GetString();
        Assert.Equal("#/components/schemas/MessageResponse", greeting);
        var message = root.GetProperty("components").GetProperty("schemas").GetProperty("MessageResponse")
            .GetProperty("properties").GetProperty("message");
        Assert.Equal("string", message.GetProperty("type").GetString());

        Assert.True(paths.TryGetProperty("/healthz", out _));
        var readiness = paths.GetProperty("/readyz").GetProperty("get").GetProperty("responses");
        Assert.True(readiness.TryGetProperty("200", out _));
        Assert.True(readiness.TryGetProperty("503", out _));
    }
}
