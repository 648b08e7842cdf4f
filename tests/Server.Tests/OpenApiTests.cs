using System.Text.Json;

namespace MinikubeDemo.Server.Tests;

public sealed class OpenApiTests(ServerApp app) : IClassFixture<ServerApp>
{
    [Fact]
    public async Task The_document_describes_the_greeting_with_its_schema()
    {
        using var client = app.CreateClient();
        using var document = JsonDocument.Parse(await client.GetStringAsync("/openapi/v1.json", TestContext.Current.CancellationToken));
        var root = document.RootElement;

        var greeting = root.GetProperty("paths").GetProperty("/").GetProperty("get").GetProperty("responses").GetProperty("200")
            .GetProperty("content").GetProperty("application/json").GetProperty("schema").GetProperty("$ref").GetString();
        Assert.Equal("#/components/schemas/MessageResponse", greeting);
        var message = root.GetProperty("components").GetProperty("schemas").GetProperty("MessageResponse")
            .GetProperty("properties").GetProperty("message");
        Assert.Equal("string", message.GetProperty("type").GetString());
    }
}
