using System.Text.Json;
using MinikubeDemo.Cluster.Tests.Tool;
using MinikubeDemo.ClusterTool;
using MinikubeDemo.ClusterTool.Cluster;
using MinikubeDemo.ClusterTool.Images;
using MinikubeDemo.ClusterTool.Processes;
using Spectre.Console.Testing;

namespace MinikubeDemo.Cluster.Tests.Steps;

/// <summary>The exact commands each kind of cluster gets to hold both images on every node, and what a failure does.</summary>
public sealed class ImagesStepTests : IDisposable
{
    private const string Server = "minikube-demo-server:1.0";
    private const string Fetcher = "minikube-demo-server-fetcher:1.0";

    private static readonly Dictionary<string, string> BaseImages = new() { ["SDK_IMAGE"] = "local/sdk:10", ["RUNTIME_DEPS_IMAGE"] = "local/deps:10" };

    private readonly FakeProcessRunner runner = new();
    private readonly TestConsole console = new TestConsole().Width(1000);
    private readonly string root = Directory.CreateTempSubdirectory("images-step-").FullName;

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    public void Dispose()
    {
        console.Dispose();
        Directory.Delete(root, recursive: true);
    }

    [Fact]
    public async Task Kind_builds_with_docker_then_loads_both_images_onto_every_node()
    {
        await Step().RunAsync(Cluster(ClusterKind.Kind, "chapter"), Cancellation);

        Assert.Equal(
        [
            "docker build -f Dockerfile.server -t minikube-demo-server:1.0 --build-arg SDK_IMAGE=local/sdk:10 --build-arg RUNTIME_DEPS_IMAGE=local/deps:10 .",
            "docker build -f Dockerfile.fetcher -t minikube-demo-server-fetcher:1.0 --build-arg SDK_IMAGE=local/sdk:10 --build-arg RUNTIME_DEPS_IMAGE=local/deps:10 .",
            $"kind load docker-image {Server} {Fetcher} --name chapter",
        ], runner.Commands);
        Assert.All(runner.Runs, run => Assert.Equal(root, run.WorkingDirectory));
    }

    [Fact]
    public async Task K3d_imports_in_direct_mode_whose_exit_code_reports_a_node_that_failed()
    {
        await Step().RunAsync(Cluster(ClusterKind.K3d, "demo"), Cancellation);

        Assert.Equal($"k3d image import {Server} {Fetcher} --cluster demo --mode direct", runner.Commands[^1]);
    }

    [Fact]
    public async Task K3s_imports_a_saved_tar_into_its_containerd_with_sudo_unless_root()
    {
        var tar = Path.Combine(root, "artifacts", "images", "minikube-demo-images.tar");

        await Step(runsAsRoot: false).RunAsync(Cluster(ClusterKind.K3s, null, System.Net.Dns.GetHostName()), Cancellation);
        Assert.Equal([$"docker save -o {tar} {Server} {Fetcher}", $"sudo k3s ctr images import {tar}"], runner.Commands.Skip(2));

        await Step(runsAsRoot: true).RunAsync(Cluster(ClusterKind.K3s, null, System.Net.Dns.GetHostName()), Cancellation);
        Assert.Equal($"k3s ctr images import {tar}", runner.Commands[^1]);
    }

    [Fact]
    public async Task A_k3s_cluster_none_of_whose_nodes_is_this_machine_says_so_before_asking_for_sudo()
    {
        var failure = await Assert.ThrowsAsync<ClusterToolException>(() =>
            Step(runsAsRoot: false).RunAsync(Cluster(ClusterKind.K3s, null, "k3s-vm"), Cancellation));

        Assert.Contains("none of its nodes (k3s-vm) is this machine", failure.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(runner.Commands, command => command.StartsWith("sudo", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_local_k3s_node_is_found_by_the_kubelets_full_host_name()
    {
        var cluster = new ClusterIdentity(ClusterKind.K3s, null, [new ClusterNode("edge-1", "containerd", false, System.Net.Dns.GetHostName())]);

        await Step(runsAsRoot: true).RunAsync(cluster, Cancellation);

        Assert.StartsWith("k3s ctr images import", runner.Commands[^1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_cluster_of_no_known_kind_is_not_reported_as_done()
    {
        var failure = await Assert.ThrowsAsync<ClusterToolException>(() => Step().RunAsync(Cluster(ClusterKind.Docker, null, "ip-10-0-1-7"), Cancellation));

        Assert.Contains("--cluster=<kind>", failure.Message, StringComparison.Ordinal);
        Assert.Contains("registry", failure.Message, StringComparison.Ordinal);
        Assert.Empty(runner.Commands);
    }

    [Fact]
    public async Task Docker_Desktop_warns_when_the_docker_CLI_talks_to_another_engine()
    {
        runner.Respond = spec => spec.Arguments[0] == "info" ? FakeProcessRunner.Prints("colima\n") : null;

        await Step().RunAsync(new ClusterIdentity(ClusterKind.DockerDesktop, null, [new ClusterNode("docker-desktop", "docker", false)]), Cancellation);

        Assert.Contains("The docker CLI talks to the engine colima, but the cluster's node is docker-desktop", console.Output, StringComparison.Ordinal);
        Assert.Equal(2, runner.Commands.Count(command => command.StartsWith("docker build", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task K3s_with_other_nodes_says_which_still_need_the_images()
    {
        var failure = await Assert.ThrowsAsync<ClusterToolException>(() =>
            Step(runsAsRoot: true).RunAsync(Cluster(ClusterKind.K3s, null, System.Net.Dns.GetHostName(), "edge-2"), Cancellation));

        Assert.Contains("this machine's k3s node only", failure.Message, StringComparison.Ordinal);
        Assert.Contains("edge-2", failure.Message, StringComparison.Ordinal);
        Assert.Contains("sudo k3s ctr images import", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rancher_Desktop_builds_with_nerdctl_on_containerd_and_with_docker_on_dockerd_never_with_k3s_ctr()
    {
        await Step().RunAsync(new ClusterIdentity(ClusterKind.RancherDesktop, null, [new ClusterNode("lima-rancher-desktop", "containerd", false)]), Cancellation);
        Assert.All(runner.Commands, command => Assert.StartsWith("nerdctl --namespace k8s.io build -f Dockerfile.", command, StringComparison.Ordinal));

        var moby = new FakeProcessRunner();
        await new ImagesStep(moby, console, root, BaseImages).RunAsync(new ClusterIdentity(ClusterKind.RancherDesktop, null, [new ClusterNode("lima-rancher-desktop", "docker", false)]), Cancellation);
        Assert.Equal(2, moby.Commands.Count(command => command.StartsWith("docker build", StringComparison.Ordinal)));
        Assert.DoesNotContain(moby.Commands, command => command.Contains("k3s", StringComparison.Ordinal) || command.StartsWith("nerdctl", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Docker_Desktops_multi_node_cluster_is_refused_with_what_to_do()
    {
        var cluster = new ClusterIdentity(ClusterKind.DockerDesktop, null, [new ClusterNode("desktop-control-plane", "containerd", false), new ClusterNode("desktop-worker", "containerd", false)]);

        var failure = await Assert.ThrowsAsync<ClusterToolException>(() => Step().RunAsync(cluster, Cancellation));

        Assert.Contains("kubeadm", failure.Message, StringComparison.Ordinal);
        Assert.Empty(runner.Commands);
    }

    [Fact]
    public async Task A_failed_docker_build_stops_the_step_with_the_command_and_its_reason()
    {
        runner.Respond = spec => spec.Arguments.Contains("Dockerfile.server") ? FakeProcessRunner.Fails(1, "error: failed to solve: dotnet publish exited 1") : null;

        var failure = await Assert.ThrowsAsync<ClusterToolException>(() => Step().RunAsync(Cluster(ClusterKind.Kind, "chapter"), Cancellation));

        Assert.StartsWith("`docker build -f Dockerfile.server -t minikube-demo-server:1.0", failure.Message, StringComparison.Ordinal);
        Assert.EndsWith("failed with exit code 1: error: failed to solve: dotnet publish exited 1", failure.Message, StringComparison.Ordinal);
        Assert.Single(runner.Commands);
    }

    [Fact]
    public async Task A_tool_that_is_not_installed_is_named()
    {
        runner.Respond = spec => spec.Program == "kind" ? FakeProcessRunner.Fails(ProcessResult.NotFound, "kind: No such file or directory") : null;

        var failure = await Assert.ThrowsAsync<ClusterToolException>(() => Step().RunAsync(Cluster(ClusterKind.Kind, "chapter"), Cancellation));

        Assert.Contains("kind is not installed, or not on PATH", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Minikube_builds_with_the_hosts_docker_and_loads_onto_every_node_then_checks_each_got_the_new_image()
    {
        var minikube = new MinikubeNodes("minikube", "minikube-m02");
        runner.Respond = minikube.Respond;

        await Step().RunAsync(minikube.Identity("containerd"), Cancellation);

        Assert.Equal("minikube -p minikube ssh -- sudo crictl images -o json", runner.Commands[0]);
        Assert.Equal("minikube -p minikube ssh -n minikube-m02 -- sudo crictl images -o json", runner.Commands[1]);
        Assert.Equal("docker version --format {{.Server.Version}}", runner.Commands[2]);
        Assert.All(runner.Runs.Where(run => run.Arguments.Count > 0 && run.Arguments[0] == "build"), build =>
            Assert.Single(build.Arguments, argument => argument.StartsWith($"{ImagesStep.BuildLabel}=", StringComparison.Ordinal)));
        Assert.Equal([$"minikube -p minikube image load {Server}", $"minikube -p minikube image load {Fetcher}"],
            runner.Commands.Where(command => command.Contains("image load", StringComparison.Ordinal)));
        Assert.DoesNotContain(runner.Commands, command => command.Contains("image build", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_failed_minikube_load_is_seen_although_minikube_exits_0()
    {
        var minikube = new MinikubeNodes("minikube") { BuildsFail = true };
        runner.Respond = minikube.Respond;

        var failure = await Assert.ThrowsAsync<ClusterToolException>(() => Step().RunAsync(minikube.Identity("docker"), Cancellation));

        Assert.StartsWith("minikube image load said it succeeded, but", failure.Message, StringComparison.Ordinal);
        Assert.Contains($"{Server} on node minikube is missing", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_a_Docker_engine_here_minikube_builds_on_every_node_with_a_new_label_and_checks_each_node_got_a_new_image()
    {
        var minikube = new MinikubeNodes("minikube") { HostDocker = false };
        runner.Respond = minikube.Respond;

        await Step().RunAsync(minikube.Identity("docker"), Cancellation);

        var builds = runner.Runs.Where(run => run.Arguments.Contains("build")).ToList();
        Assert.Equal(2, builds.Count);
        Assert.All(builds, build =>
        {
            Assert.Equal(["-p", "minikube", "image", "build", "--all", "-t"], build.Arguments.Take(6));
            Assert.Contains("--build-opt=build-arg=SDK_IMAGE=local/sdk:10", build.Arguments);
            Assert.Contains("--build-opt=build-arg=RUNTIME_DEPS_IMAGE=local/deps:10", build.Arguments);
            Assert.Single(build.Arguments, argument => argument.StartsWith($"--build-opt=label={ImagesStep.BuildLabel}=", StringComparison.Ordinal));
            Assert.Equal(".", build.Arguments[^1]);
        });
        Assert.Equal("minikube -p minikube ssh -- sudo crictl images -o json", runner.Commands[0]);
        Assert.Equal("minikube -p minikube ssh -- sudo crictl images -o json", runner.Commands[^1]);
        Assert.Contains("(the node builds it, so the base images must be pullable from inside it)", await FailureWhenBuildsFailAsync(), StringComparison.Ordinal);
    }

    private async Task<string> FailureWhenBuildsFailAsync()
    {
        var minikube = new MinikubeNodes("minikube") { BuildsFail = true, HostDocker = false };
        var failing = new FakeProcessRunner { Respond = minikube.Respond };
        var failure = await Assert.ThrowsAsync<ClusterToolException>(() => new ImagesStep(failing, console, root, BaseImages).RunAsync(minikube.Identity("docker"), Cancellation));
        return failure.Message;
    }

    [Fact]
    public async Task Minikube_on_containerd_passes_the_build_options_as_buildctl_frontend_options()
    {
        var minikube = new MinikubeNodes("minikube") { HostDocker = false };
        runner.Respond = minikube.Respond;

        await Step().RunAsync(minikube.Identity("containerd"), Cancellation);

        var build = runner.Runs.First(run => run.Arguments.Contains("build"));
        Assert.Contains("--build-opt=opt=build-arg:SDK_IMAGE=local/sdk:10", build.Arguments);
        Assert.Single(build.Arguments, argument => argument.StartsWith($"--build-opt=opt=label:{ImagesStep.BuildLabel}=", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_failed_minikube_build_is_seen_although_minikube_exits_0()
    {
        // minikube image build exits 0 when the build fails (kubernetes/minikube#16576): the old image stays.
        var minikube = new MinikubeNodes("minikube") { BuildsFail = true, HostDocker = false };
        minikube.Holds("minikube", Server, "sha256:old-server");
        runner.Respond = minikube.Respond;

        var failure = await Assert.ThrowsAsync<ClusterToolException>(() => Step().RunAsync(minikube.Identity("docker"), Cancellation));

        Assert.Contains($"{Server} on node minikube is the old build", failure.Message, StringComparison.Ordinal);
        Assert.Contains($"{Fetcher} on node minikube is missing", failure.Message, StringComparison.Ordinal);
        Assert.Contains("kubernetes/minikube#16576", failure.Message, StringComparison.Ordinal);
        Assert.Contains("dotnet cake --target=Images", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Every_minikube_node_is_checked_by_name_and_one_without_the_images_fails_the_step()
    {
        var minikube = new MinikubeNodes("minikube", "minikube-m02") { NodesBuildsMiss = { "minikube-m02" }, HostDocker = false };
        runner.Respond = minikube.Respond;

        var failure = await Assert.ThrowsAsync<ClusterToolException>(() => Step().RunAsync(minikube.Identity("docker"), Cancellation));

        Assert.Contains("minikube -p minikube ssh -n minikube-m02 -- sudo crictl images -o json", runner.Commands);
        Assert.Contains($"{Server} on node minikube-m02 is missing", failure.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("on node minikube is", failure.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"images":[{"id":"sha256:aa","repoTags":["docker.io/library/minikube-demo-server:1.0"]},{"id":"sha256:bb","repoTags":["registry.k8s.io/pause:3.10"]}]}""")]
    [InlineData("""{"images":[{"id":"sha256:aa","repoTags":["minikube-demo-server:1.0"],"repoDigests":[]},{"id":"sha256:cc","repoTags":null}]}""")]
    [InlineData("""{"images":[{"id":"sha256:aa","repoTags":["localhost/minikube-demo-server:1.0"]}]}""")]
    public void Reads_the_demo_images_from_crictl_whatever_prefix_the_runtime_gives_the_tag(string json)
    {
        Assert.Equal(new Dictionary<string, string> { [Server] = "sha256:aa" }, ImagesStep.DemoImageIds(json, "minikube"));
    }

    private ImagesStep Step(bool runsAsRoot = true) => new(runner, console, root, BaseImages) { RunsAsRoot = runsAsRoot };

    private static ClusterIdentity Cluster(ClusterKind kind, string? name, params string[] nodes) =>
        new(kind, name, nodes.Select(node => new ClusterNode(node, "containerd", false)).ToList());

    /// <summary>minikube nodes as `minikube ssh -- sudo crictl images -o json` and `minikube image build --all` see them.</summary>
    private sealed class MinikubeNodes(params string[] nodes)
    {
        private readonly Dictionary<string, Dictionary<string, string>> images = nodes.ToDictionary(node => node, _ => new Dictionary<string, string>());

        /// <summary>Every build fails, and minikube still exits 0.</summary>
        public bool BuildsFail { get; init; }

        /// <summary>Nodes a build or load never reaches.</summary>
        public HashSet<string> NodesBuildsMiss { get; } = [];

        /// <summary>Whether this machine has a Docker engine of its own.</summary>
        public bool HostDocker { get; init; } = true;

        public void Holds(string node, string image, string id) => images[node][image] = id;

        public ClusterIdentity Identity(string runtime) =>
            new(ClusterKind.Minikube, nodes[0], nodes.Select((node, index) => new ClusterNode(node, runtime, index == 0)).ToList());

        public ProcessResult? Respond(ProcessSpec spec)
        {
            var arguments = spec.Arguments.ToList();
            if (spec.Program == "docker" && arguments[0] == "version" && !HostDocker)
            {
                return FakeProcessRunner.Fails(1, "Cannot connect to the Docker daemon at unix:///var/run/docker.sock");
            }

            if (spec.Program != "minikube")
            {
                return null;
            }

            if (arguments.Contains("build") || arguments.Contains("load"))
            {
                var image = arguments.Contains("load") ? arguments[^1] : arguments[arguments.IndexOf("-t") + 1];
                foreach (var built in nodes.Where(node => !BuildsFail && !NodesBuildsMiss.Contains(node)))
                {
                    images[built][image] = $"sha256:{Guid.NewGuid():N}";
                }

                return FakeProcessRunner.Prints(BuildsFail ? "error: failed to solve: process \"dotnet publish\" did not complete successfully\n" : "naming to docker.io/library/x done\n");
            }

            var node = arguments.Contains("-n") ? arguments[arguments.IndexOf("-n") + 1] : nodes[0];
            var listing = images[node].Select(pair => new { id = pair.Value, repoTags = new[] { "docker.io/library/" + pair.Key } });
            return FakeProcessRunner.Prints(JsonSerializer.Serialize(new { images = listing }));
        }
    }
}
