using MinikubeDemo.Cluster.Tests.StandIn;
using MinikubeDemo.Contract;

namespace MinikubeDemo.Cluster.Tests.Scenarios;

/// <summary>How the images get onto minikube's nodes: loaded from this machine's Docker, or built by each node; and checked.</summary>
public sealed class MinikubeImagesTests
{
    [Theory]
    [InlineData("docker")]
    [InlineData("containerd")]
    public async Task Two_nodes_each_get_both_images_and_a_server_pod(string runtime)
    {
        await using var session = await StudentSession.MinikubeAsync(nodes: 2, runtime: runtime);

        var run = await session.DotnetCakeAsync();

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.All(session.NodeBuilds(), node => Assert.Equal(1, node.Value));
        Assert.Contains("node minikube ", run.Output, StringComparison.Ordinal);
        Assert.Contains("node minikube-m02 ", run.Output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("docker", "--build-opt=build-arg=SDK_IMAGE=local/sdk:10")]
    [InlineData("containerd", "--build-opt=opt=build-arg:SDK_IMAGE=local/sdk:10")]
    public async Task Without_a_Docker_engine_here_every_node_builds_the_images_itself_run_after_run(string runtime, string buildArgument)
    {
        await using var session = await StudentSession.MinikubeAsync(nodes: 2, runtime: runtime, hostDocker: false);
        session.BaseImages["SDK_IMAGE"] = "local/sdk:10";

        Assert.Equal(0, (await session.DotnetCakeAsync()).ExitCode);
        session.Cluster.Source.Change = 2;
        var second = await session.DotnetCakeAsync();

        Assert.True(second.ExitCode == 0, second.ToString());
        var builds = session.Tools.Runs.Where(run => run.Program == "minikube" && run.Arguments.Contains("build")).ToList();
        Assert.Equal(4, builds.Count);
        Assert.All(builds, build => Assert.Contains("--all", build.Arguments));
        Assert.All(builds, build => Assert.Contains(buildArgument, build.Arguments));
        Assert.All(session.ServerBuilds(), pod => Assert.Equal(2, pod.Value));
    }

    [Theory]
    [InlineData("docker")]
    [InlineData("containerd")]
    public async Task The_in_node_build_can_be_chosen_where_this_machine_has_Docker(string runtime)
    {
        await using var session = await StudentSession.MinikubeAsync(runtime: runtime);

        var run = await session.RunAsync("images", "--build-in", "node");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal(2, session.Tools.Commands.Count(command => command.StartsWith("minikube -p minikube", StringComparison.Ordinal) && command.Contains(" image build --all ", StringComparison.Ordinal)));
        Assert.DoesNotContain(session.Tools.Commands, command => command.StartsWith("docker build", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_failed_in_node_build_is_seen_although_minikube_exits_0()
    {
        await using var session = await StudentSession.MinikubeAsync(hostDocker: false);
        session.Cluster.Source.Compiles = false;

        var run = await session.RunAsync("images");

        Assert.Equal(1, run.ExitCode);
        Assert.Contains($"{DemoContract.Server.Image} on node minikube is missing", run.Output, StringComparison.Ordinal);
        Assert.Contains("kubernetes/minikube#16576", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_node_that_keeps_the_old_build_is_named_with_the_reason_minikube_logged()
    {
        await using var session = await StudentSession.MinikubeAsync(nodes: 2);
        Assert.Equal(0, (await session.DotnetCakeAsync()).ExitCode);
        session.Cluster.Nodes[1].LoadFails = "write /var/lib/minikube/images/minikube-demo-images.tar: no space left on device";

        var run = await session.RunAsync("images");

        Assert.Equal(1, run.ExitCode);
        Assert.Contains($"{DemoContract.Server.Image} on node minikube-m02 is the old build", run.Output, StringComparison.Ordinal);
        Assert.Contains("no space left on device", run.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("on node minikube is", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_none_driver_runs_the_pods_on_this_machines_Docker_engine()
    {
        await using var session = await StudentSession.MinikubeAsync(driver: "none");

        var run = await session.DotnetCakeAsync();

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.DoesNotContain(session.Tools.Commands, command => command.Contains(" ssh ", StringComparison.Ordinal));
        Assert.DoesNotContain(session.Tools.Commands, command => command.Contains("image load", StringComparison.Ordinal));
    }
}
