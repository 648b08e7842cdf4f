using System.Net;
using Docker.DotNet.Models;
using MinikubeDemo.Contract;
using MinikubeDemo.TestSupport.Docker;

namespace MinikubeDemo.Containers.Tests;

/// <summary>Two server replicas behind one DNS name and the fetcher beside them, shared by the tests that only read.</summary>
public sealed class ReplicatedTopologyFixture : IAsyncLifetime
{
    private Topology? _topology;

    internal Topology Topology => _topology ?? throw new InvalidOperationException("The topology did not start: no Docker engine or no images.");

    public async ValueTask InitializeAsync()
    {
        // Where it cannot start, each test skips (or fails in CI) with the reason through DemoImages.RequireAsync.
        if (await DemoImageBuild.IsBuiltAsync())
        {
            _topology = await Topology.StartAsync(replicas: 2);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_topology is not null)
        {
            await _topology.DisposeAsync();
        }
    }
}

/// <summary>Service discovery by DNS name and load spreading, as in the chapter's cluster.</summary>
public sealed class ServiceDiscoveryTests(ReplicatedTopologyFixture fixture) : IClassFixture<ReplicatedTopologyFixture>
{
    [Fact(Timeout = 60_000)]
    public async Task Fetcher_reaches_the_servers_by_service_name()
    {
        await DemoImages.RequireAsync();
        using var client = fixture.Topology.CreateFetcherClient();

        using var response = await client.GetAsync(new Uri("/", UriKind.Relative), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(DemoContract.Fetcher.Body, await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
    }

    [Fact(Timeout = 60_000)]
    public async Task Requests_spread_over_both_replicas_and_each_answer_names_the_address_of_the_replica_that_gave_it()
    {
        await DemoImages.RequireAsync();
        using var client = fixture.Topology.CreateFetcherClient();
        // On a Docker network the name resolves to the replicas themselves (in a cluster: to the Service's ClusterIP).
        var addressOf = fixture.Topology.Servers.ToDictionary(server => server.PodName, server => $"{server.Container.IpAddress}:{DemoContract.Port}");

        // Concurrent requests make the fetcher open several upstream connections, which it spreads over the
        // addresses the service name resolves to (kube-proxy's job in a cluster).
        await using var load = RequestLoad.Start(client, concurrency: 8, maxRequests: 400, maxDuration: TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
        var outcomes = await load.RunToEndAsync();

        var answeredBy = outcomes.Where(outcome => outcome.Succeeded).CountBy(outcome => outcome.UpstreamInstance ?? "(no X-Upstream-Instance)").ToDictionary();
        Report.Line($"{outcomes.Count} requests in {load.Elapsed.TotalSeconds:F1} s, answered by: {string.Join(", ", answeredBy.Select(pair => $"{pair.Key} {pair.Value}"))}; "
            + $"replicas: {string.Join(", ", addressOf.Select(pair => $"{pair.Key} at {pair.Value}"))}");
        Assert.All(outcomes, outcome =>
        {
            Assert.True(outcome.Succeeded, $"request failed: {outcome}");
            Assert.Equal(addressOf[outcome.UpstreamInstance!], outcome.UpstreamAddress);
        });
        Assert.All(fixture.Topology.Servers, server => Assert.True(answeredBy.ContainsKey(server.PodName), $"{server.PodName} answered none of {outcomes.Count} requests"));
    }

    [Fact(Timeout = 60_000)]
    public async Task Every_container_runs_non_root_on_a_read_only_root_file_system()
    {
        await DemoImages.RequireAsync();
        var topology = fixture.Topology;

        foreach (var container in topology.Servers.Select(server => server.Container).Append(topology.Fetcher))
        {
            var inspect = await DockerEngine.Client.Containers.InspectContainerAsync(container.Id, TestContext.Current.CancellationToken);
            Assert.True(inspect.HostConfig?.ReadonlyRootfs == true, $"{inspect.Name} has a writable root file system");
            Assert.Equal("1654", inspect.Config?.User);
            Assert.True(inspect.State?.Running == true, $"{inspect.Name} is not running: {inspect.State?.Status}");
        }
    }
}
