using System.Net;
using System.Text.Json;

namespace MinikubeDemo.ServerFetcher.Tests;

internal static class Problems
{
    /// <summary>Asserts an RFC 9457 problem response with the given status and title (any, when null), and no stack trace in it.</summary>
    public static async Task<JsonElement> AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status, string? title = null)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var body = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.DoesNotContain("   at ", body, StringComparison.Ordinal);
        var problem = JsonDocument.Parse(body).RootElement.Clone();
        Assert.Equal((int)status, problem.GetProperty("status").GetInt32());
        var actualTitle = problem.GetProperty("title").GetString();
        Assert.False(string.IsNullOrWhiteSpace(actualTitle));
        if (title is not null)
        {
            Assert.Equal(title, actualTitle);
        }
        Assert.False(string.IsNullOrWhiteSpace(problem.GetProperty("detail").GetString()));
        return problem;
    }
}
