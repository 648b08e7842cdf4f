using System.Net;
using MinikubeDemo.ClusterTool.Cluster;
using MinikubeDemo.ClusterTool.Steps;

namespace MinikubeDemo.Cluster.Tests.Steps;

public sealed class FetchAttemptTests
{
    [Fact]
    public void The_chapters_exact_body_passes()
    {
        Assert.Null(Problem(HttpStatusCode.OK, """{"message":"Fetched: Hello world!"}"""));
    }

    [Theory]
    [InlineData("""{"message": "Fetched: Hello world!"}""")]
    [InlineData("""{"message":"Fetched: Hello world!"}""" + "\n")]
    [InlineData("""{"message":"Hello world!"}""")]
    public void Any_other_body_fails_quoting_both(string body)
    {
        var problem = Problem(HttpStatusCode.OK, body);

        Assert.NotNull(problem);
        Assert.Contains("""expected {"message":"Fetched: Hello world!"}""", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void A_bad_gateway_points_at_the_server_pods_the_network_policy_and_the_fetchers_log()
    {
        var problem = Problem(HttpStatusCode.BadGateway, """{"title":"Upstream failed"}""");

        Assert.Equal(
            """The fetcher could not get an answer from minikube-demo-server-service (got 502 {"title":"Upstream failed"}): check the server pods """ +
            "and the NetworkPolicy, and the fetcher's log: kubectl logs deploy/minikube-demo-server-fetcher-deployment.",
            problem);
    }

    [Fact]
    public void No_ready_fetcher_says_to_wait_for_the_rollout()
    {
        Assert.StartsWith(
            "No ready fetcher pod behind minikube-demo-server-fetcher-service (got 503",
            Problem(HttpStatusCode.ServiceUnavailable, "no endpoints available for service"),
            StringComparison.Ordinal);
    }

    private static string? Problem(HttpStatusCode status, string body) => new FetchAttempt(new FetcherReply(status, body, null, null), null).Problem;
}
