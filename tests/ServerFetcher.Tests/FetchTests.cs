using System.Net;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging.Testing;
using MinikubeDemo.Contract;
using static MinikubeDemo.ServerFetcher.Tests.Problems;

namespace MinikubeDemo.ServerFetcher.Tests;

/// <summary>The fetcher against a real upstream on loopback, in every way the upstream can behave.</summary>
public sealed class FetchTests : IAsyncLifetime
{
    private const string Unreachable = "The upstream server could not be reached";
    private const string ErrorStatus = "The upstream server answered with an error";
    private const string InvalidBody = "The upstream server answered an invalid body";
    private const string TooLarge = "The upstream server answered too large a body";
    private const string TimedOut = "The upstream server did not answer in time";
    private const string CircuitOpen = "The upstream server is failing; calls are paused";

    private StubUpstream _upstream = null!;
    private FetcherApp _fetcher = null!;
    private HttpClient _client = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _upstream = await StubUpstream.StartAsync();
        _fetcher = new FetcherApp(_upstream.BaseAddress);
        _client = _fetcher.CreateClient();
    }

    public async ValueTask DisposeAsync()
    {
        _client.Dispose();
        await _fetcher.DisposeAsync();
        await _upstream.DisposeAsync();
    }

    [Fact]
    public async Task Fetches_the_servers_message_and_says_which_instance_and_address_answered()
    {
        _upstream.Behave(StubUpstream.Answer(DemoContract.Server.Body, instance: "minikube-demo-server-deployment-a"));

        using var response = await _client.GetAsync("/", Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(DemoContract.Fetcher.Body, await response.Content.ReadAsStringAsync(Ct));
        Assert.Equal("minikube-demo-server-deployment-a", Assert.Single(response.Headers.GetValues(DemoContract.Headers.UpstreamInstance)));
        Assert.Equal($"127.0.0.1:{_upstream.BaseAddress.Port}", Assert.Single(response.Headers.GetValues(DemoContract.Headers.UpstreamAddress)));
        Assert.Single(response.Headers.GetValues(DemoContract.Headers.Instance));
    }

    [Fact]
    public async Task Passes_on_whatever_message_the_server_has()
    {
        _upstream.Behave(StubUpstream.Answer("""{"message":"Hej \"världen\"","extra":[1,2]}"""));

        using var response = await _client.GetAsync("/", Ct);

        using var body = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct));
        Assert.Equal("Fetched: Hej \"världen\"", body.RootElement.GetProperty("message").GetString());
    }

    public static TheoryData<string> TransientFailures => ["500", "502", "503", "408", "429", "reset", "reset mid-body"];

    private static RequestDelegate Failure(string failure) => failure switch
    {
        "reset" => StubUpstream.Reset(),
        "reset mid-body" => StubUpstream.ResetMidBody(),
        _ => StubUpstream.Status(int.Parse(failure, System.Globalization.CultureInfo.InvariantCulture)),
    };

    [Theory]
    [MemberData(nameof(TransientFailures))]
    public async Task A_transient_failure_is_retried_and_recovered(string failure)
    {
        var fail = Failure(failure);
        _upstream.Behave(FetcherApp.MaxRetryAttempts, fail, StubUpstream.Answer(DemoContract.Server.Body));

        using var response = await _client.GetAsync("/", Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(DemoContract.Fetcher.Body, await response.Content.ReadAsStringAsync(Ct));
        Assert.Equal(FetcherApp.MaxRetryAttempts + 1, _upstream.Requests);
        // The attempt that answered says where it went, whether it reused a connection or opened a new one.
        Assert.Equal($"127.0.0.1:{_upstream.BaseAddress.Port}", Assert.Single(response.Headers.GetValues(DemoContract.Headers.UpstreamAddress)));
    }

    [Fact]
    public async Task A_5xx_that_outlasts_the_retries_is_a_bad_gateway()
    {
        _upstream.Behave(StubUpstream.Status(StatusCodes.Status503ServiceUnavailable));

        using var response = await _client.GetAsync("/", Ct);

        var problem = await AssertProblemAsync(response, HttpStatusCode.BadGateway, ErrorStatus);
        Assert.Contains("503", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(FetcherApp.MaxRetryAttempts + 1, _upstream.Requests);
        // Only an answer names the address it came from.
        Assert.False(response.Headers.Contains(DemoContract.Headers.UpstreamAddress));
    }

    [Theory]
    [InlineData("reset")]
    [InlineData("reset mid-body")]
    public async Task A_connection_lost_on_every_attempt_is_a_bad_gateway(string failure)
    {
        _upstream.Behave(Failure(failure));

        using var response = await _client.GetAsync("/", Ct);

        await AssertProblemAsync(response, HttpStatusCode.BadGateway, Unreachable);
        Assert.Equal(FetcherApp.MaxRetryAttempts + 1, _upstream.Requests);
    }

    [Fact]
    public async Task A_non_transient_error_status_is_a_bad_gateway_without_retries()
    {
        _upstream.Behave(StubUpstream.Status(StatusCodes.Status404NotFound));

        using var response = await _client.GetAsync("/", Ct);

        await AssertProblemAsync(response, HttpStatusCode.BadGateway, ErrorStatus);
        Assert.Equal(1, _upstream.Requests);
    }

    [Fact]
    public async Task A_redirect_is_the_servers_answer_not_an_address_to_follow()
    {
        _upstream.Behave(context =>
        {
            context.Response.Redirect("http://127.0.0.1:9/elsewhere");
            return Task.CompletedTask;
        });

        using var response = await _client.GetAsync("/", Ct);

        await AssertProblemAsync(response, HttpStatusCode.BadGateway, ErrorStatus);
        Assert.Equal(1, _upstream.Requests);
    }

    [Fact]
    public async Task A_cookie_one_call_gets_is_not_sent_on_anyone_elses_call()
    {
        var cookiesSeen = new List<string>();
        _upstream.Behave(context =>
        {
            lock (cookiesSeen)
            {
                cookiesSeen.Add(context.Request.Headers.Cookie.ToString());
            }
            context.Response.Headers.SetCookie = "session=first-caller; Path=/";
            return StubUpstream.Answer(DemoContract.Server.Body)(context);
        });

        (await _client.GetAsync("/", Ct)).Dispose();
        using var second = await _client.GetAsync("/", Ct);

        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        Assert.Equal(["", ""], cookiesSeen);
    }

    [Theory]
    [InlineData("Hello world!", "text/plain")]
    [InlineData("<html>502 Bad Gateway</html>", "text/html")]
    [InlineData("""{"message":"Hello world!" """, "application/json")]
    [InlineData("""{"msg":"Hello world!"}""", "application/json")]
    [InlineData("""{"message":42}""", "application/json")]
    [InlineData("""{"message":null}""", "application/json")]
    [InlineData("null", "application/json")]
    [InlineData("", "application/json")]
    public async Task A_body_that_is_not_json_with_a_string_message_is_a_bad_gateway_without_retries(string body, string contentType)
    {
        _upstream.Behave(StubUpstream.Answer(body, contentType: contentType));

        using var response = await _client.GetAsync("/", Ct);

        await AssertProblemAsync(response, HttpStatusCode.BadGateway, InvalidBody);
        Assert.Equal(1, _upstream.Requests);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_body_over_the_limit_is_a_bad_gateway_whether_or_not_its_length_is_announced(bool announced)
    {
        var oversized = $$"""{"message":"{{new string('x', 2048)}}"}""";
        _upstream.Behave(context =>
        {
            context.Response.ContentType = "application/json";
            if (announced)
            {
                context.Response.ContentLength = oversized.Length;
            }
            return context.Response.WriteAsync(oversized);
        });

        using var response = await _client.GetAsync("/", Ct);

        await AssertProblemAsync(response, HttpStatusCode.BadGateway, TooLarge);
    }

    [Fact]
    public async Task An_unreachable_server_is_a_bad_gateway_within_the_time_budget()
    {
        var closedPort = _upstream.BaseAddress;
        await _upstream.DisposeAsync();
        _upstream = await StubUpstream.StartAsync();
        await using var fetcher = new FetcherApp(closedPort);
        using var client = fetcher.CreateClient();
        var started = fetcher.Time.GetUtcNow();

        using var response = await client.GetAsync("/", Ct);

        // Refused at once: no attempt waits on the fetcher's clock, so the budget is untouched.
        await AssertProblemAsync(response, HttpStatusCode.BadGateway, Unreachable);
        Assert.True(fetcher.Time.GetUtcNow() - started < FetcherApp.TotalTimeout, $"took {fetcher.Time.GetUtcNow() - started} of the fetcher's time");
    }

    [Fact]
    public async Task A_server_that_does_not_answer_is_a_gateway_timeout_inside_the_total_budget()
    {
        _upstream.Behave(StubUpstream.Stall(TimeSpan.FromSeconds(30)));
        var started = _fetcher.Time.GetUtcNow();

        using var response = await StalledAsync(_fetcher, _client);
        var elapsed = _fetcher.Time.GetUtcNow() - started;

        await AssertProblemAsync(response, HttpStatusCode.GatewayTimeout, TimedOut);
        Assert.True(elapsed >= FetcherApp.AttemptTimeout, $"answered after {elapsed}, before one attempt could time out");
        Assert.True(elapsed <= FetcherApp.TotalTimeout, $"answered after {elapsed}, past the {FetcherApp.TotalTimeout} budget");
        Assert.True(_upstream.Requests >= 2, "an attempt that timed out is retried");
    }

    [Fact]
    public async Task The_gateway_timeout_detail_states_the_whole_budget_and_the_attempts_made_when_the_retries_run_out()
    {
        _upstream.Behave(StubUpstream.Stall(TimeSpan.FromSeconds(30)));
        await using var fetcher = new FetcherApp(_upstream.BaseAddress, new Dictionary<string, string> { ["Upstream:TotalTimeout"] = "00:00:05" });
        using var client = fetcher.CreateClient();

        using var response = await StalledAsync(fetcher, client);

        var problem = await AssertProblemAsync(response, HttpStatusCode.GatewayTimeout, TimedOut);
        Assert.Equal(FetcherApp.MaxRetryAttempts + 1, _upstream.Requests);
        Assert.Equal($"{_upstream.BaseAddress} did not answer in time: {FetcherApp.MaxRetryAttempts + 1} attempts of at most {FetcherApp.AttemptTimeout.TotalMilliseconds:0} ms each, within a total budget of 5000 ms.",
            problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task The_gateway_timeout_detail_states_the_whole_budget_and_the_attempts_made_when_the_budget_runs_out()
    {
        _upstream.Behave(StubUpstream.Stall(TimeSpan.FromSeconds(30)));
        await using var fetcher = new FetcherApp(_upstream.BaseAddress, new Dictionary<string, string> { ["Upstream:MaxRetryAttempts"] = "10" });
        using var client = fetcher.CreateClient();

        using var response = await StalledAsync(fetcher, client);

        var problem = await AssertProblemAsync(response, HttpStatusCode.GatewayTimeout, TimedOut);
        var detail = problem.GetProperty("detail").GetString()!;
        var stated = System.Text.RegularExpressions.Regex.Match(detail,
            $@"^{System.Text.RegularExpressions.Regex.Escape(_upstream.BaseAddress.ToString())} did not answer in time: (\d+) attempts of at most {FetcherApp.AttemptTimeout.TotalMilliseconds:0} ms each, within a total budget of {FetcherApp.TotalTimeout.TotalMilliseconds:0} ms\.$");
        Assert.True(stated.Success, detail);
        // The budget ran out with retries left (10 allowed): attempts of 300 ms fit four times in 1.2 s.
        var attempts = int.Parse(stated.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(4, attempts);
        Assert.Equal(attempts, _upstream.Requests);
    }

    private static RequestDelegate Unavailable(string retryAfter) => context =>
    {
        context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        context.Response.Headers.RetryAfter = retryAfter;
        return Task.CompletedTask;
    };

    [Fact]
    public async Task A_503_whose_retry_after_fits_the_budget_is_retried_after_the_wait_it_asks_for()
    {
        await using var fetcher = new FetcherApp(_upstream.BaseAddress, new Dictionary<string, string> { ["Upstream:TotalTimeout"] = "00:00:05" });
        using var client = fetcher.CreateClient();
        var started = fetcher.Time.GetUtcNow();
        var retriedAt = TimeSpan.Zero;
        _upstream.Behave(1, Unavailable("1"), context =>
        {
            retriedAt = fetcher.Time.GetUtcNow() - started;
            return StubUpstream.Answer(DemoContract.Server.Body)(context);
        });

        // The clock moves only while the fetcher waits to retry: it has logged that it will.
        using var response = await fetcher.AdvanceUntilAsync(client.GetAsync("/", Ct), TimeSpan.FromMilliseconds(250), () =>
            _upstream.Requests == 1 && fetcher.Services.GetFakeLogCollector().GetSnapshot().Any(r => r.Message.Contains("retrying in", StringComparison.Ordinal)));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(2, _upstream.Requests);
        // Retries follow each other at once here: only the upstream's Retry-After explains a second's wait.
        Assert.True(retriedAt >= TimeSpan.FromSeconds(1), $"retried after {retriedAt} of the fetcher's time, before the second the upstream asked for");
    }

    [Theory]
    [InlineData("30", 30)]
    [InlineData("date", 60)]
    public async Task A_503_whose_retry_after_is_past_the_budget_is_not_retried_and_the_caller_is_told_when_to_come_back(string retryAfter, int seconds)
    {
        var value = retryAfter == "date" ? DateTimeOffset.UtcNow.AddSeconds(seconds).ToString("R", System.Globalization.CultureInfo.InvariantCulture) : retryAfter;
        _upstream.Behave(Unavailable(value));
        var started = _fetcher.Time.GetUtcNow();

        using var response = await _client.GetAsync("/", Ct);

        var problem = await AssertProblemAsync(response, HttpStatusCode.BadGateway, ErrorStatus);
        Assert.Equal(1, _upstream.Requests);
        // Answered without waiting on the fetcher's clock at all.
        Assert.Equal(started, _fetcher.Time.GetUtcNow());
        var passedOn = Assert.IsType<TimeSpan>(response.Headers.RetryAfter?.Delta);
        Assert.InRange(passedOn.TotalSeconds, seconds - 5, seconds + 1);
        Assert.Contains("asked to be called again", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_fetcher_keeps_serving_after_upstream_failures()
    {
        _upstream.Behave(StubUpstream.Answer("not json", contentType: "text/plain"));
        using (var failed = await _client.GetAsync("/", Ct))
        {
            Assert.Equal(HttpStatusCode.BadGateway, failed.StatusCode);
        }

        _upstream.Behave(StubUpstream.Answer(DemoContract.Server.Body));
        using var recovered = await _client.GetAsync("/", Ct);

        Assert.Equal(HttpStatusCode.OK, recovered.StatusCode);
    }

    [Fact]
    public async Task The_breaker_opens_after_repeated_failures_and_closes_once_the_server_recovers()
    {
        _upstream.Behave(StubUpstream.Status(StatusCodes.Status500InternalServerError));
        var requestsToOpen = FetcherApp.BreakerMinimumThroughput / (FetcherApp.MaxRetryAttempts + 1);
        for (var i = 0; i < requestsToOpen; i++)
        {
            using var failing = await _client.GetAsync("/", Ct);
            Assert.Equal(HttpStatusCode.BadGateway, failing.StatusCode);
        }
        var callsBeforeOpen = _upstream.Requests;

        // Open: failing fast, without calling the server, and saying when to come back.
        using (var open = await _client.GetAsync("/", Ct))
        {
            await AssertProblemAsync(open, HttpStatusCode.BadGateway, CircuitOpen);
            Assert.NotNull(open.Headers.RetryAfter);
        }
        Assert.Equal(callsBeforeOpen, _upstream.Requests);

        // The server recovers; after the break the next call goes through and closes the circuit.
        _upstream.Behave(StubUpstream.Answer(DemoContract.Server.Body));
        _fetcher.Time.Advance(FetcherApp.BreakDuration);
        using (var probe = await _client.GetAsync("/", Ct))
        {
            Assert.Equal(HttpStatusCode.OK, probe.StatusCode);
        }
        using var closed = await _client.GetAsync("/", Ct);
        Assert.Equal(HttpStatusCode.OK, closed.StatusCode);
        Assert.Equal(callsBeforeOpen + 2, _upstream.Requests);
    }

    /// <summary>
    /// GET / against an upstream that holds every request: the fetcher's clock moves on by one attempt timeout each
    /// time the stub holds the current attempt, until the fetcher answers.
    /// </summary>
    private async Task<HttpResponseMessage> StalledAsync(FetcherApp fetcher, HttpClient client)
    {
        var advanced = 0;
        return await fetcher.AdvanceUntilAsync(client.GetAsync("/", Ct), FetcherApp.AttemptTimeout, () =>
        {
            if (_upstream.Requests <= advanced)
            {
                return false;
            }
            advanced++;
            return true;
        });
    }
}
