using CliWrap;
using CliWrap.Buffered;
using MinikubeDemo.Cluster.Tests.StandIn;
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
        await using var session = await StudentSession.MinikubeAsync();
        Assert.Equal(0, (await session.DotnetCakeAsync()).ExitCode);
        var pods = session.ServerPods();

        var (exitCode, output) = await RunToolAsync(session.Api.Kubeconfig(), "verify", "--timeout", "20", "--requests", "40");

        Assert.True(exitCode == 0, output);
        AssertShows(output, "NAME                           ENDPOINTS");
        AssertShows(output, $"{DemoContract.Server.Service}   198.18.0.12:8000,198.18.0.13:8000");
        AssertShows(output, DemoContract.Fetcher.Body);
        AssertShows(output, $"pod {pods[0]}  node minikube");
        AssertShows(output, $"pod {pods[1]}  node minikube");
        AssertShows(output, "Verified.");
    }

    [Fact]
    public async Task KUBECONFIG_may_list_files_that_do_not_exist_empty_files_and_empty_entries_as_kubectl_allows()
    {
        await using var session = await StudentSession.MinikubeAsync();
        var empty = Path.GetTempFileName();
        var kubeconfig = Path.GetTempFileName();
        await File.WriteAllTextAsync(kubeconfig, session.Api.Kubeconfig(), TestContext.Current.CancellationToken);
        try
        {
            var (exitCode, output) = await RunToolAsync(
                new Dictionary<string, string?> { ["KUBECONFIG"] = $":/nonexistent/kubeconfig:{empty}:{kubeconfig}" }, "reachable");

            Assert.True(exitCode == 0, output);
            AssertShows(output, "Cluster: context minikube");
        }
        finally
        {
            File.Delete(empty);
            File.Delete(kubeconfig);
        }
    }

    [Fact]
    public async Task A_kubeconfig_naming_a_certificate_file_that_is_gone_exits_1_saying_it_cannot_be_used()
    {
        await using var session = await StudentSession.MinikubeAsync();

        // KubernetesClient reads the certificate authority only for https, as a cluster made by minikube serves.
        var kubeconfig = session.Api.Kubeconfig().Replace("server: http://", "server: https://", StringComparison.Ordinal)
            .Replace("    cluster:\n", "    cluster:\n      certificate-authority: /nonexistent/ca.crt\n", StringComparison.Ordinal);

        var (exitCode, output) = await RunToolAsync(kubeconfig, "reachable");

        Assert.Equal(1, exitCode);
        AssertShows(output, "The kubeconfig cannot be used");
        AssertShows(output, "minikube start");
    }

    [Fact]
    public async Task Without_a_cluster_a_command_exits_1_saying_how_to_start_one()
    {
        await using var stopped = await StudentSession.MinikubeAsync();
        // A loopback port nothing listens on: where a stopped cluster would be.
        var kubeconfig = stopped.Api.Kubeconfig().Replace($":{stopped.Api.Address.Port}", $":{ServiceProcess.FreePort()}", StringComparison.Ordinal);

        var (exitCode, output) = await RunToolAsync(kubeconfig, "verify");

        Assert.Equal(1, exitCode);
        AssertShows(output, "No Kubernetes cluster answers");
        AssertShows(output, "minikube start");
    }

    [Fact]
    public async Task Reachable_answers_0_for_a_cluster_1_without_a_context_and_3_for_refused_credentials()
    {
        await using var session = await StudentSession.MinikubeAsync();
        Assert.Equal(0, (await RunToolAsync(session.Api.Kubeconfig(), "reachable")).ExitCode);

        var (none, output) = await RunToolAsync("apiVersion: v1\nkind: Config\nclusters: []\ncontexts: []\nusers: []\n", "reachable");
        Assert.Equal(1, none);
        AssertShows(output, "No Kubernetes cluster: there is no kubeconfig context");
        AssertShows(output, "minikube start");

        session.Api.RefusesCredentials = true;
        var (refused, refusal) = await RunToolAsync(session.Api.Kubeconfig(), "reachable");
        Assert.Equal(3, refused);
        AssertShows(refusal, "refused the kubeconfig's credentials (401)");
    }

    [Theory]
    [InlineData("--requests: 'abc' is not a number", "verify", "--requests", "abc")]
    [InlineData("--timeout: 'soon' is not a number", "deploy", "--timeout=soon")]
    [InlineData("Unknown option 'bogus'", "verify", "--bogus")]
    [InlineData("--cluster: 'minikub' is not one of", "images", "--cluster", "minikub")]
    [InlineData("--build-in: 'vm' is not host or node", "images", "--build-in", "vm")]
    public async Task A_bad_option_names_it_and_exits_with_the_usage_code(string message, params string[] arguments)
    {
        await using var session = await StudentSession.MinikubeAsync();

        var (exitCode, output) = await RunToolAsync(session.Api.Kubeconfig(), arguments);

        Assert.Equal(2, exitCode);
        AssertShows(output, message);
        Assert.Single(output.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Empty(session.Api.Requests);
    }

    /// <summary>Fails with the tool's whole output, which says more than the missing piece alone.</summary>
    private static void AssertShows(string output, string expected) =>
        Assert.True(output.Contains(expected, StringComparison.Ordinal), $"Expected the output to show:{Environment.NewLine}{expected}{Environment.NewLine}It was:{Environment.NewLine}{output}");

    private static async Task<(int ExitCode, string Output)> RunToolAsync(string kubeconfig, params string[] arguments)
    {
        var file = Path.GetTempFileName();
        await File.WriteAllTextAsync(file, kubeconfig, TestContext.Current.CancellationToken);
        try
        {
            return await RunToolAsync(new Dictionary<string, string?> { ["KUBECONFIG"] = file }, arguments);
        }
        finally
        {
            File.Delete(file);
        }
    }

    private static async Task<(int ExitCode, string Output)> RunToolAsync(Dictionary<string, string?> environment, params string[] arguments)
    {
        // Wide enough that no table line wraps.
        environment["COLUMNS"] = "200";
        var run = await Cli.Wrap("dotnet").WithArguments([ToolAssembly, .. arguments]).WithEnvironmentVariables(environment)
            .WithValidation(CommandResultValidation.None).ExecuteBufferedAsync(TestContext.Current.CancellationToken);
        var all = run.StandardOutput + run.StandardError;
        // `dotnet test --output detailed` shows what the tool printed against the stand-in cluster.
        TestContext.Current.TestOutputHelper?.WriteLine(all);
        return (run.ExitCode, all);
    }
}
