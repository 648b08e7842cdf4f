using System.Text.Json;
using MinikubeDemo.Contract;

namespace MinikubeDemo.ServerFetcher.Tests;

public sealed class OpenApiTests
{
    [Fact]
    public async Task The_document_describes_the_fetched_message_and_its_problem_answers()
    {
        await using var app = new FetcherApp(new Uri("http://127.0.0.1:9"));
        using var client = app.CreateClient();
        using var document = JsonDocument.Parse(await client.GetStringAsync("/openapi/v1.json", TestContext.Current.CancellationToken));
        var responses = document.RootElement.GetProperty("paths").GetProperty("/").GetProperty("get").GetProperty("responses");

        Assert.Equal("#/components/schemas/MessageResponse", responses.GetProperty("200").GetProperty("content")
            .GetProperty("application/json").GetProperty("schema").GetProperty("$ref").GetString());
        var headers = responses.GetProperty("200").GetProperty("headers");
        foreach (var header in new[] { DemoContract.Headers.UpstreamInstance, DemoContract.Headers.UpstreamAddress })
        {
            Assert.Equal("string", headers.GetProperty(header).GetProperty("schema").GetProperty("type").GetString());
            Assert.False(string.IsNullOrWhiteSpace(headers.GetProperty(header).GetProperty("description").GetString()), $"{header} has a description");
        }
        foreach (var status in new[] { "502", "504" })
        {
            Assert.True(responses.GetProperty(status).GetProperty("content").TryGetProperty("application/problem+json", out _),
                $"{status} is documented as application/problem+json");
        }
    }
}
