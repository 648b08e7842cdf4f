using System.Net;
using Docker.DotNet.Models;
using DotNet.Testcontainers.Builders;
using DotNet.Testcontainers.Containers;
using DotNet.Testcontainers.Networks;
using MinikubeDemo.Contract;

namespace MinikubeDemo.Containers.Tests;

/// <summary>A server replica: its container and the instance name it reports in <c>X-Instance</c>.</summary>
internal sealed record ServerReplica(string PodName, IContainer Container);

/// <summary>
/// The chapter's topology on a Docker network of its own: server replicas that share the network alias
/// <c>minikube-demo-server-service</c> (as kube-dns gives a Service one name for all its pods) and the fetcher
/// beside them with its default upstream, reached from the test through a port published on loopback.
/// Every container runs as the image's non-root user on a read-only root file system.
/// </summary>
internal sealed class Topology : IAsyncDisposable
{
    private readonly INetwork _network;

    private Topology(INetwork network, IReadOnlyList<ServerReplica> servers, IContainer fetcher)
    {
        _network = network;
        Servers = servers;
        Fetcher = fetcher;
    }

    public IReadOnlyList<ServerReplica> Servers { get; }

    public IContainer Fetcher { get; }

    /// <param name="replicas">Server replicas behind the service name; 0 leaves the fetcher with nothing to reach.</param>
    /// <param name="drainDelay">The servers' <c>Shutdown__DrainDelay</c>, when not the default.</param>
    public static async Task<Topology> StartAsync(int replicas, TimeSpan? drainDelay = null, CancellationToken cancellationToken = default)
    {
        await DemoImages.RequireAsync();
        var network = new NetworkBuilder().WithName($"minikube-demo-{Guid.NewGuid():N}").Build();
        var containers = new List<IContainer>();
        try
        {
            await network.CreateAsync(cancellationToken);
            var servers = new List<ServerReplica>();
            for (var index = 0; index < replicas; index++)
            {
                var podName = $"{DemoContract.Server.Name}-{index}";
                var builder = Service(DemoImages.Server, network)
                    .WithNetworkAliases(DemoContract.Server.Service)
                    .WithEnvironment("POD_NAME", podName);
                if (drainDelay is { } delay)
                {
                    builder = builder.WithEnvironment("Shutdown__DrainDelay", delay.ToString("c", System.Globalization.CultureInfo.InvariantCulture));
                }

                servers.Add(new ServerReplica(podName, await StartAsync(builder.Build(), containers, cancellationToken)));
            }

            var fetcherBuilder = Service(DemoImages.Fetcher, network).WithEnvironment("POD_NAME", $"{DemoContract.Fetcher.Name}-0");
            if (replicas == 0)
            {
                // As a Service without ready endpoints, whose connections are refused. Not the bare service name:
                // Docker's DNS would forward a name it does not know to the host's resolver, off this machine.
                fetcherBuilder = fetcherBuilder.WithEnvironment("Upstream__BaseUrl", "http://127.0.0.1:9");
            }

            var fetcher = await StartAsync(fetcherBuilder.Build(), containers, cancellationToken);
            return new Topology(network, servers, fetcher);
        }
        catch
        {
            await DisposeAllAsync(containers, network);
            throw;
        }
    }

    /// <summary>A container of one of the images as a pod would run it: non-root, read-only root file system.</summary>
    public static ContainerBuilder Service(DemoImage image, INetwork? network = null)
    {
        var builder = new ContainerBuilder(image.Name)
            .WithPortBinding(DemoContract.Port, assignRandomHostPort: true)
            .WithCreateParameterModifier(parameters =>
            {
                var hostConfig = parameters.HostConfig ??= new HostConfig();
                hostConfig.ReadonlyRootfs = true;
                // The test reaches the containers only through loopback.
                foreach (var binding in hostConfig.PortBindings?.Values.SelectMany(bindings => bindings) ?? [])
                {
                    binding.HostIP = IPAddress.Loopback.ToString();
                }
            })
            .WithWaitStrategy(Wait.ForUnixContainer().UntilHttpRequestIsSucceeded(
                request => request.ForPort(DemoContract.Port).ForPath("/readyz"),
                wait => wait.WithTimeout(TimeSpan.FromSeconds(30))));
        return network is null ? builder : builder.WithNetwork(network);
    }

    public static Uri BaseAddress(IContainer container) =>
        new UriBuilder(Uri.UriSchemeHttp, container.Hostname, container.GetMappedPublicPort(DemoContract.Port)).Uri;

    public HttpClient CreateFetcherClient() => new() { BaseAddress = BaseAddress(Fetcher), Timeout = TimeSpan.FromSeconds(15) };

    public async ValueTask DisposeAsync() =>
        await DisposeAllAsync([.. Servers.Select(server => server.Container), Fetcher], _network);

    private static async Task<IContainer> StartAsync(IContainer container, List<IContainer> started, CancellationToken cancellationToken)
    {
        started.Add(container);
        await container.StartAsync(cancellationToken);
        return container;
    }

    private static async Task DisposeAllAsync(IEnumerable<IContainer> containers, INetwork network)
    {
        foreach (var container in containers)
        {
            await container.DisposeAsync();
        }

        await network.DisposeAsync();
    }
}
