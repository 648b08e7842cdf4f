using MinikubeDemo.Cluster.Tests.StandIn;
using MinikubeDemo.Contract;

namespace MinikubeDemo.Cluster.Tests.Scenarios;

/// <summary>The chapter's two figures, drawn by Verify and Watch from what the cluster did (the README shows this output).</summary>
public sealed class ChapterFiguresTests
{
    [Fact]
    public async Task Verify_draws_Figure_2_from_the_DNS_name_through_the_ClusterIP_to_each_pod()
    {
        await using var session = await StudentSession.MinikubeAsync();
        Assert.Equal(0, (await session.DotnetCakeAsync()).ExitCode);
        var pods = session.ServerPods();

        var run = await session.RunAsync("verify", "--requests", "40");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains($"GET / through {DemoContract.Fetcher.Service}: 40 requests, 40 answered with the chapter's body", run.Output, StringComparison.Ordinal);
        Assert.Contains($"the fetcher calls {DemoContract.Fetcher.UpstreamUrl}", run.Output, StringComparison.Ordinal);
        Assert.Contains($"cluster DNS: {DemoContract.Server.Service} is {DemoContract.Server.Service}.default.svc.cluster.local", run.Output, StringComparison.Ordinal);
        Assert.Matches($@"Service {DemoContract.Server.Service}: LoadBalancer, ClusterIP (?<ip>198\.18\.100\.\d+), port 8000, node port \d+", run.Output);
        Assert.Matches(@"the fetcher connected to 198\.18\.100\.\d+:8000 \(the Service's ClusterIP: kube-proxy picks a pod per connection\): 40 answers", run.Output);
        Assert.All(pods, pod => Assert.Matches($@"198\.18\.0\.\d+:8000  pod {pod}  node minikube +\d+ answers", run.Output));
    }

    [Fact]
    public async Task Watch_draws_Figure_1_as_the_server_scales_two_to_three_to_one()
    {
        await using var session = await StudentSession.MinikubeAsync();
        Assert.Equal(0, (await session.DotnetCakeAsync()).ExitCode);

        var watching = session.RunAsync("watch", "--duration", "12", "--rate", "20", "--expect-endpoint-change");
        await session.Cluster.UntilAsync(() => session.Cluster.Store.Watchers == 3, "the watch lists and watches");
        foreach (var replicas in new[] { 3, 1 })
        {
            lock (session.Cluster.Gate)
            {
                var deployment = session.Cluster.Store.Get<k8s.Models.V1Deployment>("deployments", "default", DemoContract.Server.Deployment)!;
                deployment.Spec.Replicas = replicas;
                deployment.Metadata.Generation++;
                session.Cluster.Store.Put("deployments", deployment);
            }

            await session.Cluster.UntilAsync(() => session.ServerPods().Count == replicas && session.ServerBuilds().Count == replicas, $"{replicas} server pods run");
            await Task.Delay(TimeSpan.FromSeconds(1), TestContext.Current.CancellationToken);
        }

        var run = await watching;

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Matches(@"endpoints minikube-demo-server-service   198\.18\.0\.\d+:8000,198\.18\.0\.\d+:8000,198\.18\.0\.\d+:8000", run.Output);
        Assert.Contains("deployment minikube-demo-server-deployment: 3 desired, 3/3 ready, 3/3 updated", run.Output, StringComparison.Ordinal);
        Assert.Contains("deployment minikube-demo-server-deployment: 1 desired, 1/1 ready, 1/1 updated", run.Output, StringComparison.Ordinal);
        Assert.Contains(": gone", run.Output, StringComparison.Ordinal);
        Assert.Matches(@"endpoint list changes seen: [2-9]", run.Output);
    }
}
