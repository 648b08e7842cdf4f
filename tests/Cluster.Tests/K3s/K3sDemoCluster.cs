using DotNet.Testcontainers.Configurations;
using k8s;
using k8s.Models;
using MinikubeDemo.ClusterTool.Cluster;
using MinikubeDemo.ClusterTool.Deploy;
using MinikubeDemo.ClusterTool.Processes;
using MinikubeDemo.ClusterTool.Waiting;
using MinikubeDemo.Contract;
using MinikubeDemo.TestSupport;
using MinikubeDemo.TestSupport.Docker;
using Spectre.Console;
using Testcontainers.K3s;

namespace MinikubeDemo.Cluster.Tests.K3s;

/// <summary>
/// A k3s cluster in a container, with Traefik left on and its Gateway API provider turned on, the two images
/// built as the Images step builds them and imported into its containerd, and k8s/ deployed by the Deploy step's
/// own code (kubectl apply -f k8s/) and waited for with the tool's own waits. Started once for the k3s tests.
/// </summary>
public sealed class K3sDemoCluster : IAsyncLifetime
{
    public const string Namespace = "default";

    private const string ImagesTarInContainer = "/var/lib/rancher/k3s/minikube-demo-images.tar";
    private const string TraefikGatewayConfigInContainer = "/var/lib/rancher/k3s/server/manifests/traefik-gateway.yaml";
    private const int TraefikHttpPort = 80;

    private static readonly TimeSpan SaveLimit = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan RolloutLimit = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan IngressClassLimit = TimeSpan.FromMinutes(4);

    private readonly StringWriter log = new();
    private K3sContainer? container;
    private ClusterSession? session;
    private string? kubeconfigFile;

    internal DemoCluster Demo => new(Session);

    public IKubernetes Client => Session.Client;

    /// <summary>Traefik's HTTP entry point, as mapped to this machine: the Ingress and the Gateway both answer here.</summary>
    public Uri IngressAddress => new($"http://{Container.Hostname}:{Container.GetMappedPublicPort(TraefikHttpPort)}/");

    /// <summary>kubectl pointed at this cluster, as the Deploy step runs it; what it printed is in <see cref="Log"/>.</summary>
    internal StepCommands Kubectl => new(SystemProcessRunner.Instance, Console, RepositoryPaths.Root)
    {
        EnvironmentByProgram = new Dictionary<string, IReadOnlyDictionary<string, string?>>
        {
            ["kubectl"] = new Dictionary<string, string?> { ["KUBECONFIG"] = kubeconfigFile },
        },
    };

    /// <summary>The arguments that point kubectl at the demo's context and namespace, as the Deploy step passes them.</summary>
    internal string[] KubectlTarget => ["--context", Session.Context ?? "default", "--namespace", Namespace];

    public string Log => log.ToString();

    private IAnsiConsole Console
    {
        get
        {
            var console = AnsiConsole.Create(new AnsiConsoleSettings { Ansi = AnsiSupport.No, ColorSystem = ColorSystemSupport.NoColors, Out = new AnsiConsoleOutput(log) });
            console.Profile.Width = 1000;
            return console;
        }
    }

    private K3sContainer Container => container ?? throw new InvalidOperationException("The k3s cluster was not started.");

    private ClusterSession Session => session ?? throw new InvalidOperationException("The k3s cluster was not started.");

    public async ValueTask InitializeAsync()
    {
        if (await K3sAvailability.WhyUnavailableAsync() is not null || !await DemoImageBuild.IsBuiltAsync())
        {
            // Each test skips (or fails) with the reason through K3sAvailability.RequireAsync.
            return;
        }

        var cancellationToken = TestContext.Current.CancellationToken;
        var imagesTar = Path.Combine(Path.GetTempPath(), $"minikube-demo-images-{Guid.NewGuid():N}.tar");
        var save = await K3sAvailability.RunAsync("docker", ["save", "-o", imagesTar, .. DemoContract.Apps.Select(app => app.Image)], SaveLimit);
        Assert.True(save.Succeeded, $"docker save failed: {save.LastLine}");

        container = new K3sBuilder(K3sAvailability.Image)
            // The module starts `server --disable=traefik`; the Ingress and Gateway tests need the bundled Traefik.
            .WithCommand(new OverwriteEnumerable<string>(["server"]))
            .WithPortBinding(TraefikHttpPort, true)
            // k3s applies what is in its manifests folder at start: Traefik with its Gateway API provider on.
            .WithResourceMapping(
                await File.ReadAllBytesAsync(Path.Combine(RepositoryPaths.ManifestDirectory, "gateway-api", "k3s", "traefik-gateway.yaml"), cancellationToken),
                TraefikGatewayConfigInContainer)
            .Build();
        await container.StartAsync(cancellationToken);

        await container.CopyAsync(await File.ReadAllBytesAsync(imagesTar, cancellationToken), ImagesTarInContainer, ct: cancellationToken);
        File.Delete(imagesTar);
        var import = await container.ExecAsync(["k3s", "ctr", "--namespace", "k8s.io", "images", "import", ImagesTarInContainer], cancellationToken);
        Assert.True(import.ExitCode == 0, $"Importing the images into k3s failed: {import.Stdout}{import.Stderr}");

        kubeconfigFile = Path.GetTempFileName();
        await File.WriteAllTextAsync(kubeconfigFile, await container.GetKubeconfigAsync(), cancellationToken);
        session = await ClusterSession.ConnectAsync(KubernetesClientConfiguration.BuildConfigFromConfigFile(kubeconfigFile), Namespace, cancellationToken);

        // The API server gives an Ingress the default class only when it is created, so deploy once Traefik's class
        // exists, as on a cluster whose ingress controller is installed before the app.
        await Eventually.UntilAsync(
            () => Client.NetworkingV1.ListIngressClassAsync(cancellationToken: cancellationToken),
            classes => classes.Items.Any(ingressClass => IsDefault(ingressClass) || ingressClass.Metadata.Name == "traefik"),
            IngressClassLimit,
            classes => $"no default IngressClass yet (k3s installs Traefik with its Helm controller); classes: {string.Join(", ", classes.Items.Select(ingressClass => ingressClass.Metadata.Name))}");

        await new DeployStep(Kubectl, Console, Demo, Session, TimeProvider.System).ApplyAsync(cancellationToken);
        var rollouts = await DemoWaits.RolloutsAsync(Demo, [.. DemoContract.Apps.Select(app => app.Deployment)], RolloutLimit, null, cancellationToken);
        Assert.True(rollouts.End == WaitEnd.Done, string.Join(Environment.NewLine,
            [$"The rollouts ended {rollouts.End}:", .. rollouts.Last.States.Select(state => $"{state.Deployment}: {state.Summary}"), .. rollouts.Last.Problems.Select(problem => problem.Message), Log]));
    }

    public async ValueTask DisposeAsync()
    {
        session?.Dispose();
        if (container is not null)
        {
            await container.DisposeAsync();
        }

        if (kubeconfigFile is not null)
        {
            File.Delete(kubeconfigFile);
        }

        await log.DisposeAsync();
    }

    private static bool IsDefault(V1IngressClass ingressClass) =>
        ingressClass.Metadata.Annotations?.TryGetValue("ingressclass.kubernetes.io/is-default-class", out var isDefault) == true && isDefault == "true";
}
