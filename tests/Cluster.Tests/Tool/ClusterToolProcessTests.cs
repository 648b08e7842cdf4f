using System.Diagnostics;
using MinikubeDemo.ClusterTool;
using MinikubeDemo.Contract;
using MinikubeDemo.TestSupport;

namespace MinikubeDemo.Cluster.Tests.Tool;

/// <summary>The cluster tool as build.cake runs it: a process, its kubeconfig from KUBECONFIG, its exit code and output.</summary>
public sealed class ClusterToolProcessTests
{
    private static readonly string ToolAssembly = Path.Combine(AppContext.BaseDirectory, "minikube-demo-cluster-tool.dll");

    [Fact]
    public async Task Verify_prints_the_endpoints_like_kubectl_the_fetched_message_and_a_bar_per_server_pod()
    {
        await using var api = await FakeKubernetesApi.StartAsync();

        var (exitCode, output) = await RunToolAsync(api, "verify", "--timeout", "20");

        Assert.True(exitCode == 0, output);
        AssertShows(output, "NAME                           ENDPOINTS");
        AssertShows(output, "minikube-demo-server-service   198.18.0.12:8000,198.18.0.13:8000");
        AssertShows(output, DemoContract.Fetcher.Body);
        AssertShows(output, FakeKubernetesApi.PodName(0));
        AssertShows(output, FakeKubernetesApi.PodName(1));
        AssertShows(output, "Verified.");
    }

    [Fact]
    public async Task Verify_draws_the_path_from_the_DNS_name_through_the_ClusterIP_to_each_pod()
    {
        await using var api = await FakeKubernetesApi.StartAsync();

        var (exitCode, output) = await RunToolAsync(api, "verify", "--timeout", "20", "--requests", "40");

        Assert.True(exitCode == 0, output);
        AssertShows(output, $"the fetcher calls {DemoContract.Fetcher.UpstreamUrl}");
        AssertShows(output, $"cluster DNS: {DemoContract.Server.Service} is {DemoContract.Server.Service}.default.svc.cluster.local");
        AssertShows(output, $"Service {DemoContract.Server.Service}: LoadBalancer, ClusterIP {FakeKubernetesApi.ServerClusterIp}, port 8000, node port {FakeKubernetesApi.ServerNodePort}");
        AssertShows(output, $"the fetcher connected to {FakeKubernetesApi.ServerClusterIp}:8000 (the Service's ClusterIP: kube-proxy picks a pod per connection): 40 answers");
        AssertShows(output, $"{FakeKubernetesApi.PodAddress(0)}:8000  pod {FakeKubernetesApi.PodName(0)}  node minikube");
        AssertShows(output, $"{FakeKubernetesApi.PodAddress(1)}:8000  pod {FakeKubernetesApi.PodName(1)}  node minikube");
    }

    [Fact]
    public async Task Scale_to_one_shows_the_endpoint_list_shrink()
    {
        await using var api = await FakeKubernetesApi.StartAsync();

        var (exitCode, output) = await RunToolAsync(api, "scale", "--replicas", "1", "--timeout", "20");

        Assert.True(exitCode == 0, output);
        Assert.Equal(1, api.ServerReplicas);
        AssertShows(output, "minikube-demo-server-service   198.18.0.12:8000" + Environment.NewLine);
    }

    [Fact]
    public async Task Wait_fails_at_once_on_a_crash_loop_naming_the_pod_and_its_last_log_lines()
    {
        await using var api = await FakeKubernetesApi.StartAsync(crashLooping: true);

        var (exitCode, output) = await RunToolAsync(api, "wait", "--timeout", "60");

        Assert.Equal(1, exitCode);
        AssertShows(output, $"Pod {FakeKubernetesApi.PodName(1)} is crash-looping");
        AssertShows(output, "Upstream:BaseUrl is not a URL");
    }

    [Fact]
    public async Task Without_a_cluster_every_command_exits_non_zero_saying_how_to_start_one()
    {
        await using var stopped = await FakeKubernetesApi.StartAsync();
        // A loopback port nothing listens on: where a stopped cluster would be.
        var kubeconfig = stopped.Kubeconfig().Replace($":{stopped.Port}", $":{ServiceProcess.FreePort()}", StringComparison.Ordinal);
        var (exitCode, output) = await RunToolAsync(kubeconfig, "verify");

        Assert.Equal(1, exitCode);
        AssertShows(output, "No Kubernetes cluster answers");
        AssertShows(output, "minikube start");
    }

    [Theory]
    [InlineData("--requests: 'abc' is not a number", "verify", "--requests", "abc")]
    [InlineData("--timeout: 'soon' is not a number", "wait", "--timeout=soon")]
    [InlineData("Unknown option 'bogus'", "verify", "--bogus")]
    [InlineData("--cluster: 'minikub' is not one of", "images", "--cluster", "minikub")]
    public async Task A_bad_option_names_it_and_exits_with_the_usage_code(string message, params string[] arguments)
    {
        await using var api = await FakeKubernetesApi.StartAsync();

        var (exitCode, output) = await RunToolAsync(api, arguments);

        Assert.Equal(2, exitCode);
        AssertShows(output, message);
        Assert.Single(output.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Empty(api.Requests);
    }

    [Fact]
    public async Task Reachable_answers_0_for_a_cluster_and_1_without_a_context()
    {
        await using var api = await FakeKubernetesApi.StartAsync();

        Assert.Equal(0, (await RunToolAsync(api, "reachable")).ExitCode);

        var (exitCode, output) = await RunToolAsync("apiVersion: v1\nkind: Config\nclusters: []\ncontexts: []\nusers: []\n", "reachable");
        Assert.Equal(1, exitCode);
        AssertShows(output, "No Kubernetes cluster: there is no kubeconfig context");
        AssertShows(output, "minikube start");
    }

    /// <summary>Fails with the tool's whole output, which says more than the missing piece alone.</summary>
    private static void AssertShows(string output, string expected) =>
        Assert.True(output.Contains(expected, StringComparison.Ordinal), $"Expected the output to show:{Environment.NewLine}{expected}{Environment.NewLine}It was:{Environment.NewLine}{output}");

    private static Task<(int ExitCode, string Output)> RunToolAsync(FakeKubernetesApi api, params string[] arguments) =>
        RunToolAsync(api.Kubeconfig(), arguments);

    private static async Task<(int ExitCode, string Output)> RunToolAsync(string kubeconfig, params string[] arguments)
    {
        var kubeconfigFile = Path.GetTempFileName();
        await File.WriteAllTextAsync(kubeconfigFile, kubeconfig, TestContext.Current.CancellationToken);
        try
        {
            var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
            start.ArgumentList.Add(ToolAssembly);
            foreach (var argument in arguments)
            {
                start.ArgumentList.Add(argument);
            }

            start.Environment["KUBECONFIG"] = kubeconfigFile;
            // Wide enough that no table line wraps.
            start.Environment["COLUMNS"] = "200";
            using var process = Process.Start(start)!;
            var output = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
            var error = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
            await process.WaitForExitAsync(TestContext.Current.CancellationToken);
            var all = await output + await error;
            // `dotnet test --output detailed` shows what the tool printed against the fake cluster.
            TestContext.Current.TestOutputHelper?.WriteLine(all);
            return (process.ExitCode, all);
        }
        finally
        {
            File.Delete(kubeconfigFile);
        }
    }
}
