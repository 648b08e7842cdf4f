using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Http;
using MinikubeDemo.Contract;

namespace MinikubeDemo.ServerFetcher.Tests;

/// <summary>
/// How the fetcher rotates its connections to the server. Which replica each new connection goes to, and what it does
/// when one is gone, needs a name that resolves to several addresses: the container tier has one
/// (ServiceDiscoveryTests, ReplicaLossTests).
/// </summary>
public sealed class ConnectionTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("00:00:00.100", true)]
    [InlineData("00:10:00", false)]
    public async Task Pooled_connections_are_replaced_after_their_lifetime(string lifetime, bool expectNewConnections)
    {
        await using var upstream = await StubUpstream.StartAsync();
        var connections = new ConcurrentDictionary<string, bool>();
        upstream.Behave(context =>
        {
            connections[context.Connection.Id] = true;
            return StubUpstream.Answer(DemoContract.Server.Body)(context);
        });
        await using var fetcher = new FetcherApp(upstream.BaseAddress, new Dictionary<string, string> { ["Upstream:PooledConnectionLifetime"] = lifetime });
        using var client = fetcher.CreateClient();

        for (var i = 0; i < 6; i++)
        {
            (await client.GetAsync("/", Ct)).EnsureSuccessStatusCode().Dispose();
            await Task.Delay(60, Ct);
        }

        if (expectNewConnections)
        {
            Assert.True(connections.Count >= 2, $"one connection served every request despite a {lifetime} lifetime");
        }
        else
        {
            Assert.Single(connections);
        }
    }
}
