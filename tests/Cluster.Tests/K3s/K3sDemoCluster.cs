using CliWrap;
using CliWrap.Buffered;
using DotNet.Testcontainers.Configurations;
using k8s;
using k8s.Models;
using MinikubeDemo.Cluster.Tests.StandIn;
using MinikubeDemo.ClusterTool.Commands;
using MinikubeDemo.Contract;
using MinikubeDemo.TestSupport;
using MinikubeDemo.TestSupport.Docker;
using Spectre.Console.Testing;
using Testcontainers.K3s;

namespace MinikubeDemo.Cluster.Tests.K3s;

/// <summary>
/// A k3s cluster in a container, with Traefik left on and its Gateway API provider turned on, the two images built
/// from the Dockerfiles and imported into its containerd, and k8s/ deployed by the cluster tool's own `deploy`
/// (kubectl apply -f k8s/ and the rollout wait), run in process on this machine's programs. Started once for the k3s tests.
/// </summary>
public sealed class K3sDemoCluster : IAsyncLifetime
{
    public const string Namespace = "default";

    private const string ImagesTarInContainer = "/var/lib/rancher/k3s/minikube-demo-images.tar";
    private const string TraefikGatewayConfigInContainer = "/var/lib/rancher/k3s/server/manifests/traefik-gateway.yaml";
    private const int TraefikHttpPort = 80;

    private static readonly TimeSpan IngressClassLimit = TimeSpan.FromMinutes(4);

    private K3sContainer? _container;
    private Kubernetes? _client;
    private string? _kubeconfigFile;

    public IKubernetes Client => _client ?? throw new InvalidOperationException("The k3s cluster was not started.");

    /// <summary>Traefik's HTTP entry point, as mapped to this machine: the Ingress and the Gateway both answer here.</summary>
    public Uri IngressAddress => new($"http://{Container.Hostname}:{Container.GetMappedPublicPort(TraefikHttpPort)}/");

    private K3sContainer Container => _container ?? throw new InvalidOperationException("The k3s cluster was not started.");

    public async ValueTask InitializeAsync()
    {
        if (await K3sAvailability.WhyUnavailableAsync() is not null || !await DemoImageBuild.IsBuiltAsync())
        {
            // Each test skips (or fails) with the reason through K3sAvailability.RequireAsync.
            return;
        }

        var cancellationToken = TestContext.Current.CancellationToken;
        var imagesTar = Path.Combine(Path.GetTempPath(), $"minikube-demo-images-{Guid.NewGuid():N}.tar");
        var save = await DemoImageBuild.DockerAsync(["save", "-o", imagesTar, .. DemoContract.Apps.Select(app => app.Image)], cancellationToken);
        Assert.True(save.ExitCode == 0, $"docker save failed: {save.StandardError}");

        _container = new K3sBuilder(K3sAvailability.Image)
            // The module starts `server --disable=traefik`; the Ingress and Gateway tests need the bundled Traefik.
            .WithCommand(new OverwriteEnumerable<string>(["server"]))
            .WithPortBinding(TraefikHttpPort, true)
            // k3s applies what is in its manifests folder at start: Traefik with its Gateway API provider on.
            .WithResourceMapping(
                await File.ReadAllBytesAsync(Path.Combine(RepositoryPaths.ManifestDirectory, "gateway-api", "k3s", "traefik-gateway.yaml"), cancellationToken),
                TraefikGatewayConfigInContainer)
            .Build();
        await _container.StartAsync(cancellationToken);

        await _container.CopyAsync(await File.ReadAllBytesAsync(imagesTar, cancellationToken), ImagesTarInContainer, ct: cancellationToken);
        File.Delete(imagesTar);
        var import = await _container.ExecAsync(["k3s", "ctr", "--namespace", "k8s.io", "images", "import", ImagesTarInContainer], cancellationToken);
        Assert.True(import.ExitCode == 0, $"Importing the images into k3s failed: {import.Stdout}{import.Stderr}");

        _kubeconfigFile = Path.GetTempFileName();
        await File.WriteAllTextAsync(_kubeconfigFile, await _container.GetKubeconfigAsync(), cancellationToken);
        _client = new Kubernetes(KubernetesClientConfiguration.BuildConfigFromConfigFile(_kubeconfigFile));

        // The API server gives an Ingress the default class only when it is created, so deploy once Traefik's class
        // exists, as on a cluster whose ingress controller is installed before the app.
        await Eventually.UntilAsync(
            () => Client.NetworkingV1.ListIngressClassAsync(cancellationToken: cancellationToken),
            classes => classes.Items.Any(ingressClass => IsDefault(ingressClass) || ingressClass.Metadata.Name == "traefik"),
            IngressClassLimit,
            classes => $"no default IngressClass yet (k3s installs Traefik with its Helm controller); classes: {string.Join(", ", classes.Items.Select(ingressClass => ingressClass.Metadata.Name))}");

        var deploy = await RunToolAsync("deploy", "--namespace", Namespace, "--timeout", "300");
        Assert.True(deploy.ExitCode == 0, deploy.ToString());
    }

    /// <summary>The cluster tool, in process, on this cluster and this machine's programs: the code `dotnet cake` runs.</summary>
    internal async Task<CommandRun> RunToolAsync(params string[] arguments)
    {
        using var console = new TestConsole().Width(250);
        var host = new ClusterTool.Cluster.ToolHost(ClusterTool.Cluster.SystemProcessRunner.Instance, console)
        {
            KubeconfigFiles = [_kubeconfigFile!],
            RepositoryRoot = RepositoryPaths.Root,
        };
        var exitCode = await ToolApp.RunAsync(arguments, host, TestContext.Current.CancellationToken);
        TestContext.Current.TestOutputHelper?.WriteLine($"$ cluster-tool {string.Join(' ', arguments)}{Environment.NewLine}{console.Output}(exit code {exitCode})");
        return new CommandRun(exitCode, console.Output);
    }

    /// <summary>kubectl on this cluster, for what the tool does not do (k8s/gateway-api/ is applied on its own).</summary>
    public async Task KubectlAsync(params string[] arguments)
    {
        var run = await Cli.Wrap("kubectl").WithArguments(arguments).WithWorkingDirectory(RepositoryPaths.Root)
            .WithEnvironmentVariables(new Dictionary<string, string?> { ["KUBECONFIG"] = _kubeconfigFile })
            .WithValidation(CommandResultValidation.None).ExecuteBufferedAsync(TestContext.Current.CancellationToken);
        Assert.True(run.ExitCode == 0, $"kubectl {string.Join(' ', arguments)} failed: {run.StandardError}");
    }

    public async ValueTask DisposeAsync()
    {
        _client?.Dispose();
        if (_container is not null)
        {
            await _container.DisposeAsync();
        }

        if (_kubeconfigFile is not null)
        {
            File.Delete(_kubeconfigFile);
        }
    }

    private static bool IsDefault(V1IngressClass ingressClass) =>
        ingressClass.Metadata.Annotations?.TryGetValue("ingressclass.kubernetes.io/is-default-class", out var isDefault) == true && isDefault == "true";
}
