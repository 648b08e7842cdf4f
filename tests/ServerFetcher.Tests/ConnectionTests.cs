using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Http;
using MinikubeDemo.Contract;
using MinikubeDemo.ServerFetcher.Upstream;

namespace MinikubeDemo.ServerFetcher.Tests;

/// <summary>How the fetcher opens and rotates its connections to the server's replicas.</summary>
public sealed class ConnectionTests
{
    private static readonly TimeSpan AddressTimeout = TimeSpan.FromMilliseconds(200);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task New_connections_take_turns_over_every_address_the_name_resolves_to()
    {
        // Two replicas on one port, as a Service name with two pods behind it: 127.0.0.0/8 is all loopback.
        await using var first = await StubUpstream.StartAsync(IPAddress.Parse("127.0.0.1"));
        await using var second = await StubUpstream.StartAsync(IPAddress.Parse("127.0.0.2"), first.BaseAddress.Port);
        var order = 0;
        var connector = new RoundRobinConnector(AddressTimeout, (_, _) =>
            // DNS answers in a changing order; the connector must not care.
            Task.FromResult(Interlocked.Increment(ref order) % 2 == 0
                ? new[] { IPAddress.Parse("127.0.0.2"), IPAddress.Parse("127.0.0.1") }
                : new[] { IPAddress.Parse("127.0.0.1"), IPAddress.Parse("127.0.0.2") }));
        using var client = ClientOver(connector, pooledConnectionLifetime: TimeSpan.Zero);

        for (var i = 0; i < 20; i++)
        {
            (await client.GetAsync(new Uri($"http://replicas.test:{first.BaseAddress.Port}/"), Ct)).EnsureSuccessStatusCode().Dispose();
        }

        Assert.Equal(10, first.Requests);
        Assert.Equal(10, second.Requests);
    }

    [Fact]
    public async Task Each_request_reports_the_address_of_the_connection_it_was_sent_on()
    {
        await using var first = await StubUpstream.StartAsync(IPAddress.Parse("127.0.0.1"));
        await using var second = await StubUpstream.StartAsync(IPAddress.Parse("127.0.0.2"), first.BaseAddress.Port);
        var connector = new RoundRobinConnector(AddressTimeout, (_, _) => Task.FromResult(new[] { IPAddress.Parse("127.0.0.1"), IPAddress.Parse("127.0.0.2") }));
        using var fresh = ClientOver(connector, pooledConnectionLifetime: TimeSpan.Zero);
        using var pooled = ClientOver(connector, pooledConnectionLifetime: Timeout.InfiniteTimeSpan);
        var uri = new Uri($"http://replicas.test:{first.BaseAddress.Port}/");

        async Task<string?> SendAsync(HttpClient client)
        {
            var call = new UpstreamCall(TimeProvider.System);
            AddressReportingStream.ReportTo(call);
            (await client.GetAsync(uri, Ct)).EnsureSuccessStatusCode().Dispose();
            return call.Address;
        }

        // A new connection per request: the addresses take turns.
        var port = first.BaseAddress.Port;
        string?[] turns = [await SendAsync(fresh), await SendAsync(fresh), await SendAsync(fresh), await SendAsync(fresh)];
        Assert.Equal(2, turns.Distinct().Count());
        Assert.All(turns, address => Assert.Contains(address, new[] { $"127.0.0.1:{port}", $"127.0.0.2:{port}" }));
        Assert.NotEqual(turns[0], turns[1]);

        // One pooled connection: the handler does not connect again, and each request still reports it.
        string?[] reused = [await SendAsync(pooled), await SendAsync(pooled), await SendAsync(pooled)];
        Assert.NotNull(reused[0]);
        Assert.All(reused, address => Assert.Equal(reused[0], address));
    }

    [Fact]
    public async Task An_address_that_refuses_is_skipped_for_the_next_one()
    {
        await using var alive = await StubUpstream.StartAsync(IPAddress.Parse("127.0.0.1"));
        // Nothing listens on 127.0.0.3 at that port: a replica that is gone but still resolved.
        var connector = new RoundRobinConnector(AddressTimeout, (_, _) => Task.FromResult(new[] { IPAddress.Parse("127.0.0.3"), IPAddress.Parse("127.0.0.1") }));
        using var client = ClientOver(connector, pooledConnectionLifetime: TimeSpan.Zero);

        for (var i = 0; i < 6; i++)
        {
            using var response = await client.GetAsync(new Uri($"http://replicas.test:{alive.BaseAddress.Port}/"), Ct);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
        Assert.Equal(6, alive.Requests);
    }

    [Fact]
    public async Task An_address_that_does_not_answer_costs_a_moment_not_the_request()
    {
        await using var alive = await StubUpstream.StartAsync(IPAddress.Parse("127.0.0.1"));
        // A listener that never accepts, with its backlog full: the kernel drops further SYNs, as for a pod
        // whose address is gone. Nothing answers a connect to 127.0.0.5 at that port.
        using var silent = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        silent.Bind(new IPEndPoint(IPAddress.Parse("127.0.0.5"), alive.BaseAddress.Port));
        silent.Listen(0);
        var fillers = new List<Socket>();
        try
        {
            for (var i = 0; i < 4; i++)
            {
                var filler = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                fillers.Add(filler);
                using var quick = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
                try
                {
                    await filler.ConnectAsync(silent.LocalEndPoint!, quick.Token);
                }
                catch (OperationCanceledException)
                {
                    break; // The backlog is full: connects now hang.
                }
            }
            var connector = new RoundRobinConnector(AddressTimeout, (_, _) => Task.FromResult(new[] { IPAddress.Parse("127.0.0.5"), IPAddress.Parse("127.0.0.1") }));
            using var client = ClientOver(connector, pooledConnectionLifetime: TimeSpan.Zero);

            for (var i = 0; i < 4; i++)
            {
                var stopwatch = System.Diagnostics.Stopwatch.StartNew();
                using var response = await client.GetAsync(new Uri($"http://replicas.test:{alive.BaseAddress.Port}/"), Ct);
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                Assert.True(stopwatch.Elapsed < AddressTimeout + TimeSpan.FromMilliseconds(500), $"a request took {stopwatch.Elapsed}");
            }
            Assert.Equal(4, alive.Requests);
        }
        finally
        {
            fillers.ForEach(filler => filler.Dispose());
        }
    }

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

    private static HttpClient ClientOver(RoundRobinConnector connector, TimeSpan pooledConnectionLifetime) =>
        new(new SocketsHttpHandler { ConnectCallback = connector.ConnectAsync, PooledConnectionLifetime = pooledConnectionLifetime });
}
