using MinikubeDemo.Cluster.Tests.StandIn;

namespace MinikubeDemo.Cluster.Tests.Scenarios;

/// <summary>The runs after the first: nothing changed, a change of the code, a build that crash-loops and then its fix.</summary>
public sealed class RedeployTests
{
    [Theory]
    [InlineData("docker")]
    [InlineData("containerd")]
    public async Task A_second_run_with_nothing_changed_passes_and_rolls_the_pods_onto_the_new_build(string runtime)
    {
        await using var session = await StudentSession.MinikubeAsync(runtime: runtime);
        Assert.Equal(0, (await session.DotnetCakeAsync()).ExitCode);
        var before = session.ServerPods();

        var second = await session.DotnetCakeAsync();

        Assert.True(second.ExitCode == 0, second.ToString());
        Assert.Empty(session.ServerPods().Intersect(before));
    }

    [Theory]
    [InlineData("docker", 1)]
    [InlineData("docker", 2)]
    [InlineData("containerd", 2)]
    public async Task A_change_of_the_code_reaches_every_node_and_every_server_pod(string runtime, int nodes)
    {
        await using var session = await StudentSession.MinikubeAsync(nodes: nodes, runtime: runtime);
        Assert.Equal(0, (await session.DotnetCakeAsync()).ExitCode);

        session.Cluster.Source.Change = 2;
        var second = await session.DotnetCakeAsync();

        Assert.True(second.ExitCode == 0, second.ToString());
        Assert.All(session.NodeBuilds(), node => Assert.True(node.Value == 2, $"node {node.Key} holds the build of change {node.Value}"));
        Assert.All(session.ServerBuilds(), pod => Assert.True(pod.Value == 2, $"pod {pod.Key} runs the build of change {pod.Value}"));
    }

    [Theory]
    [InlineData("docker")]
    [InlineData("containerd")]
    public async Task A_build_that_crash_loops_stops_the_deploy_with_its_log_and_the_fix_deploys(string runtime)
    {
        await using var session = await StudentSession.MinikubeAsync(runtime: runtime);
        Assert.Equal(0, (await session.DotnetCakeAsync()).ExitCode);

        session.Cluster.Source.ServerCrashes = true;
        var broken = await session.DotnetCakeAsync();
        Assert.Equal(1, broken.ExitCode);
        Assert.Contains("is crash-looping", broken.Output, StringComparison.Ordinal);
        Assert.Contains("Unhandled exception. System.InvalidOperationException: the greeting is not configured", broken.Output, StringComparison.Ordinal);

        // The fix: the old ReplicaSet's crash-looping pods stay until the new pods are available, and do not count.
        session.Cluster.Source.ServerCrashes = false;
        session.Cluster.Source.Change = 3;
        var fixedRun = await session.DotnetCakeAsync();

        Assert.True(fixedRun.ExitCode == 0, fixedRun.ToString());
        Assert.Contains("Verified.", fixedRun.Output, StringComparison.Ordinal);
        Assert.All(session.ServerBuilds(), pod => Assert.Equal(3, pod.Value));
    }

    [Theory]
    [InlineData("docker")]
    [InlineData("containerd")]
    public async Task A_first_build_that_crash_loops_then_its_fix_deploys_while_the_old_pods_still_crash(string runtime)
    {
        // With no good build before it, every pod crash-loops, and the Deployment controller keeps them until the
        // fixed build's pods are available (maxUnavailable resolves to 0 for 1 to 3 replicas: deployment_util.go
        // ResolveFenceposts, rolling.go reconcileOldReplicaSets).
        await using var session = await StudentSession.MinikubeAsync(runtime: runtime);
        session.Cluster.Source.ServerCrashes = true;
        Assert.Equal(1, (await session.DotnetCakeAsync()).ExitCode);

        session.Cluster.Source.ServerCrashes = false;
        var fixedRun = await session.DotnetCakeAsync();

        Assert.True(fixedRun.ExitCode == 0, fixedRun.ToString());
        Assert.Equal(2, session.ServerBuilds().Count);
    }

    [Fact]
    public async Task A_changed_greeting_is_reported_by_Verify_against_the_chapters_body()
    {
        await using var session = await StudentSession.MinikubeAsync();
        Assert.Equal(0, (await session.DotnetCakeAsync()).ExitCode);

        session.Cluster.Source.Greeting = "Hello, cluster!";
        var run = await session.DotnetCakeAsync();

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("""The fetcher answered 200 with an unexpected body: expected {"message":"Fetched: Hello world!"}, got 200 {"message":"Fetched: Hello, cluster!"}""", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Code_that_does_not_compile_stops_Images_with_the_builds_reason()
    {
        await using var session = await StudentSession.MinikubeAsync();
        session.Cluster.Source.Compiles = false;

        var run = await session.DotnetCakeAsync();

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("failed with exit code 1: error: failed to solve", run.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("kubectl apply", run.Output, StringComparison.Ordinal);
    }
}
