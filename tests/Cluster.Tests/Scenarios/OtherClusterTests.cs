using MinikubeDemo.Cluster.Tests.StandIn;
using MinikubeDemo.Contract;

namespace MinikubeDemo.Cluster.Tests.Scenarios;

/// <summary>`dotnet cake` on every other kind of cluster the tool knows: the commands each gets, and two runs in a row.</summary>
public sealed class OtherClusterTests
{
    private const string Server = DemoContract.Server.Image;
    private const string Fetcher = DemoContract.Fetcher.Image;

    [Fact]
    public async Task Kind_builds_with_docker_then_loads_both_images_onto_every_node()
    {
        await using var session = await StudentSession.KindAsync(nodes: 2);

        await TwoRunsAsync(session);

        Assert.Equal(
        [
            "docker build -f Dockerfile.server -t minikube-demo-server:1.0 .",
            "docker build -f Dockerfile.fetcher -t minikube-demo-server-fetcher:1.0 .",
            $"kind load docker-image {Server} {Fetcher} --name chapter",
            "kubectl apply -f k8s/ --context kind-chapter --namespace default",
        ], session.Tools.Commands.Distinct());
        Assert.All(session.Tools.Runs, run => Assert.Equal(session.Root, run.WorkingDirectory));
    }

    [Fact]
    public async Task K3d_imports_in_direct_mode_whose_exit_code_reports_a_node_that_failed()
    {
        await using var session = await StudentSession.K3dAsync();

        await TwoRunsAsync(session);

        Assert.Contains($"k3d image import {Server} {Fetcher} --cluster demo --mode direct", session.Tools.Commands);
    }

    [Fact]
    public async Task K3s_imports_a_saved_tar_into_its_containerd_with_sudo_unless_root()
    {
        await using var session = await StudentSession.K3sAsync();

        await TwoRunsAsync(session);

        var tar = Path.Combine(session.Root, "artifacts", "images", "minikube-demo-images.tar");
        Assert.Contains($"docker save -o {tar} {Server} {Fetcher}", session.Tools.Commands);
        Assert.Contains($"sudo k3s ctr images import {tar}", session.Tools.Commands);
        Assert.False(File.Exists(tar));

        await using var asRoot = await StudentSession.K3sAsync(root: true);
        Assert.Equal(0, (await asRoot.RunAsync("images")).ExitCode);
        Assert.Contains(asRoot.Tools.Commands, command => command.StartsWith("k3s ctr images import", StringComparison.Ordinal));
    }

    [Fact]
    public async Task K3s_with_nodes_elsewhere_says_which_still_need_the_images()
    {
        await using var session = await StudentSession.K3sAsync(true, "edge-2");

        var run = await session.RunAsync("images");

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("this machine's k3s node only", run.Output, StringComparison.Ordinal);
        Assert.Contains("edge-2", run.Output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("containerd", "nerdctl --namespace k8s.io build -f Dockerfile.server")]
    [InlineData("docker", "docker build -f Dockerfile.server")]
    public async Task Rancher_Desktop_builds_where_its_kubelet_finds_the_images(string runtime, string build)
    {
        await using var session = await StudentSession.RancherDesktopAsync(runtime);

        await TwoRunsAsync(session);

        Assert.Contains(session.Tools.Commands, command => command.StartsWith(build, StringComparison.Ordinal));
        Assert.DoesNotContain(session.Tools.Commands, command => command.Contains("k3s", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Docker_Desktop_builds_into_its_engine_and_warns_when_the_docker_CLI_talks_to_another()
    {
        await using var session = await StudentSession.DockerDesktopAsync();

        await TwoRunsAsync(session);

        session.EngineName = "colima";
        var other = await session.RunAsync("images");
        Assert.Contains("The docker CLI talks to the engine colima, but the cluster's node is docker-desktop", other.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Docker_Desktops_multi_node_cluster_is_refused_with_what_to_do()
    {
        await using var session = await StudentSession.DockerDesktopAsync(kindMode: true);

        var run = await session.RunAsync("images");

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("kubeadm", run.Output, StringComparison.Ordinal);
        Assert.Empty(session.Tools.Commands);
    }

    [Fact]
    public async Task A_tool_that_is_not_installed_is_named()
    {
        await using var session = await StudentSession.KindAsync();
        session.Tools.Uninstall("kind");

        var run = await session.RunAsync("images");

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("kind is not installed, or not on PATH", run.Output, StringComparison.Ordinal);
    }

    /// <summary>Two `dotnet cake` runs in a row, the second after a change of the code, which every server pod then runs.</summary>
    private static async Task TwoRunsAsync(StudentSession session)
    {
        var first = await session.DotnetCakeAsync();
        Assert.True(first.ExitCode == 0, first.ToString());
        session.Cluster.Source.Change = 2;
        var second = await session.DotnetCakeAsync();
        Assert.True(second.ExitCode == 0, second.ToString());
        Assert.All(session.ServerBuilds(), pod => Assert.Equal(2, pod.Value));
    }
}
