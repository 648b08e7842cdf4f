using System.Text;
using DotNet.Testcontainers.Configurations;
using k8s;
using k8s.Models;
using MinikubeDemo.Cluster.Tests.Manifests;
using MinikubeDemo.ClusterTool;
using MinikubeDemo.ClusterTool.Cluster;
using MinikubeDemo.Contract;
using MinikubeDemo.TestSupport;
using Testcontainers.K3s;

namespace MinikubeDemo.Cluster.Tests.K3s;

/// <summary>
/// A k3s cluster in a container, with Traefik left on, the two images built from the Dockerfiles imported
/// into its containerd, and k8s/ applied unchanged and rolled out. Started once for the k3s tests.
/// </summary>
public sealed class K3sDemoCluster : IAsyncLifetime
{
    public const string Namespace = "default";

    private const string ImagesTarInContainer = "/var/lib/rancher/k3s/minikube-demo-images.tar";
    private const int TraefikHttpPort = 80;

    private static readonly TimeSpan BuildLimit = TimeSpan.FromMinutes(20);
    private static readonly TimeSpan RolloutLimit = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan IngressClassLimit = TimeSpan.FromMinutes(4);

    private K3sContainer? container;
    private ClusterSession? session;

    internal DemoCluster Demo => new(Session);

    public IKubernetes Client => Session.Client;

    /// <summary>Traefik's HTTP entry point, as mapped to this machine.</summary>
    public Uri IngressAddress => new($"http://{Container.Hostname}:{Container.GetMappedPublicPort(TraefikHttpPort)}/");

    private K3sContainer Container => container ?? throw new InvalidOperationException("The k3s cluster was not started.");

    private ClusterSession Session => session ?? throw new InvalidOperationException("The k3s cluster was not started.");

    public async ValueTask InitializeAsync()
    {
        if (await K3sAvailability.WhyUnavailableAsync() is not null)
        {
            // Each test skips (or fails) with the reason through K3sAvailability.RequireAsync.
            return;
        }

        var cancellationToken = TestContext.Current.CancellationToken;
        var imagesTar = await BuildImagesAsync();

        container = new K3sBuilder(K3sAvailability.Image)
            // The module starts `server --disable=traefik`; the Ingress test needs the bundled Traefik.
            .WithCommand(new OverwriteEnumerable<string>(["server"]))
            .WithPortBinding(TraefikHttpPort, true)
            .Build();
        await container.StartAsync(cancellationToken);

        await container.CopyAsync(await File.ReadAllBytesAsync(imagesTar, cancellationToken), ImagesTarInContainer, ct: cancellationToken);
        File.Delete(imagesTar);
        var import = await container.ExecAsync(["k3s", "ctr", "--namespace", "k8s.io", "images", "import", ImagesTarInContainer], cancellationToken);
        Assert.True(import.ExitCode == 0, $"Importing the images into k3s failed: {import.Stdout}{import.Stderr}");

        var kubeconfig = await container.GetKubeconfigAsync();
        using var kubeconfigStream = new MemoryStream(Encoding.UTF8.GetBytes(kubeconfig));
        var config = KubernetesClientConfiguration.BuildConfigFromConfigFile(kubeconfigStream);
        session = await ClusterSession.ConnectAsync(config, Namespace, cancellationToken);

        // The API server gives an Ingress the default class only when it is created, so apply once Traefik's class
        // exists, as on a cluster whose ingress controller is installed before the app.
        await Eventually.UntilAsync(
            () => Client.NetworkingV1.ListIngressClassAsync(cancellationToken: cancellationToken),
            classes => classes.Items.Any(ingressClass => IsDefault(ingressClass) || ingressClass.Metadata.Name == "traefik"),
            IngressClassLimit,
            classes => $"no default IngressClass yet (k3s installs Traefik with its Helm controller); classes: {string.Join(", ", classes.Items.Select(ingressClass => ingressClass.Metadata.Name))}");
        await ManifestApplier.ApplyAsync(Client, Namespace, ManifestSet.Load(RepositoryPaths.ManifestDirectory), cancellationToken);
        await WaitForRolloutsAsync(cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        session?.Dispose();
        if (container is not null)
        {
            await container.DisposeAsync();
        }
    }

    private static bool IsDefault(V1IngressClass ingressClass) =>
        ingressClass.Metadata.Annotations?.TryGetValue("ingressclass.kubernetes.io/is-default-class", out var isDefault) == true && isDefault == "true";

    /// <summary>Both images built as <see cref="DemoImageBuild"/> says, saved into one tar.</summary>
    private static async Task<string> BuildImagesAsync()
    {
        var baseImages = DemoImageBuild.BaseImageArguments()
            .SelectMany(argument => new[] { "--build-arg", $"{argument.Key}={argument.Value}" })
            .ToList();

        foreach (var (dockerfile, image) in DemoImageBuild.Both)
        {
            var build = await CommandLine.RunAsync("docker", ["build", "-f", dockerfile, "-t", image, .. baseImages, "."], BuildLimit);
            Assert.True(build.Succeeded, $"docker build -f {dockerfile} failed:{Environment.NewLine}{build.Output}");
        }

        var tar = Path.Combine(Path.GetTempPath(), $"minikube-demo-images-{Guid.NewGuid():N}.tar");
        var save = await CommandLine.RunAsync("docker", ["save", "-o", tar, .. DemoImageBuild.Both.Select(entry => entry.Name)], BuildLimit);
        Assert.True(save.Succeeded, $"docker save failed: {save.Output}");
        return tar;
    }

    private async Task WaitForRolloutsAsync(CancellationToken cancellationToken)
    {
        await Eventually.UntilAsync(
            async () =>
            {
                var states = await Task.WhenAll(DemoContract.Apps.Select(app => app.Deployment).ToList().Select(name => Demo.ReadRolloutAsync(name, cancellationToken)));
                var problems = new List<string>();
                foreach (var state in states.Where(state => !state.Complete))
                {
                    var diagnosed = await Demo.DiagnoseAsync(state.Deployment, cancellationToken);
                    // An image that is missing or a container that crashes will not get better by waiting.
                    Assert.False(diagnosed.Any(problem => problem.Problem.IsHardFailure), string.Join(Environment.NewLine, diagnosed.Select(problem => problem.Message)));
                    problems.AddRange(diagnosed.Select(problem => problem.Message));
                }

                return (States: states, Problems: problems);
            },
            seen => seen.States.All(state => state.Complete),
            RolloutLimit,
            seen => string.Join(Environment.NewLine, seen.States.Select(state => $"{state.Deployment}: {state.Summary}").Concat(seen.Problems)));
    }
}
