using MinikubeDemo.Cluster.Tests.StandIn;
using MinikubeDemo.Contract;

namespace MinikubeDemo.Cluster.Tests.Scenarios;

/// <summary>A student's first `dotnet cake` on a cluster that just started.</summary>
public sealed class FirstRunTests
{
    [Theory]
    [InlineData("docker")]
    [InlineData("containerd")]
    public async Task The_first_run_on_minikube_builds_both_images_deploys_and_verifies(string runtime)
    {
        await using var session = await StudentSession.MinikubeAsync(runtime: runtime);

        var run = await session.DotnetCakeAsync();

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("Verified.", run.Output, StringComparison.Ordinal);
        Assert.Contains(DemoContract.Fetcher.Body, run.Output, StringComparison.Ordinal);
        Assert.Equal(2, session.ServerPods().Count);
    }

    [Fact]
    public async Task A_kubelet_that_has_not_read_the_Services_yet_only_delays_the_rollout()
    {
        // A kubelet that just started cannot make the service variables until its informer has listed, and says
        // CreateContainerConfigError until then (pkg/kubelet/kubelet_pods.go makeEnvironmentVariables).
        await using var session = await StudentSession.MinikubeAsync();
        lock (session.Cluster.Gate)
        {
            session.Cluster.ServicesRead = false;
        }

        var cake = session.DotnetCakeAsync();
        // The informers list once the rollout wait has read a pod in that state, however long the steps before it took.
        await session.Cluster.UntilAsync(() => session.Api.WaitingReasonsServed.Contains("CreateContainerConfigError"), "the rollout wait read the failing pods");
        lock (session.Cluster.Gate)
        {
            session.Cluster.ServicesRead = true;
        }

        var run = await cake;

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("services have not yet been read at least once", run.Output, StringComparison.Ordinal);
        Assert.Contains("Still waiting: the kubelet retries.", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_cluster_whose_DNS_is_still_starting_is_waited_for()
    {
        await using var session = await StudentSession.MinikubeAsync();
        session.Cluster.DnsReadyAt = 40;

        var run = await session.DotnetCakeAsync();

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("Cluster DNS: kube-system/coredns 1/1 available", run.Output, StringComparison.Ordinal);
    }
}
