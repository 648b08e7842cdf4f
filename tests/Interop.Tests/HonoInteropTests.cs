using System.Net;
using MinikubeDemo.Contract;
using MinikubeDemo.TestSupport;

namespace MinikubeDemo.Interop.Tests;

/// <summary>A student can mix this port with the course's own services, either way round, and see the chapter's answer.</summary>
public sealed class HonoInteropTests
{
    private const string ChapterAnswer = DemoContract.Fetcher.Body;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_courses_hono_fetcher_pointed_at_this_server_answers_the_chapters_message()
    {
        using var server = await ServiceProcess.StartDotnetAsync(DemoContract.Server.Name, new Dictionary<string, string>(), Ct);
        using var fetcher = await CourseBaseline.StartAsync("server-fetcher",
            new Dictionary<string, string> { ["UPSTREAM_URL"] = server.BaseAddress.ToString() }, Ct);

        await AssertAnswersAsync(fetcher.BaseAddress);
    }

    [Fact]
    public async Task This_fetcher_pointed_at_the_courses_hono_server_answers_the_chapters_message()
    {
        using var server = await CourseBaseline.StartAsync("server", new Dictionary<string, string>(), Ct);
        using var fetcher = await ServiceProcess.StartDotnetAsync(DemoContract.Fetcher.Name,
            new Dictionary<string, string> { ["Upstream__BaseUrl"] = server.BaseAddress.ToString() }, Ct);

        await AssertAnswersAsync(fetcher.BaseAddress);
    }

    private static async Task AssertAnswersAsync(Uri fetcher)
    {
        using var http = new HttpClient();
        using var response = await http.GetAsync(fetcher, Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(ChapterAnswer, await response.Content.ReadAsStringAsync(Ct));
    }
}
