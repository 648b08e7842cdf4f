using System.Net;
using System.Net.Sockets;
using System.Text;
using Docker.DotNet.Models;
using DotNet.Testcontainers.Containers;
using MinikubeDemo.Contract;
using MinikubeDemo.TestSupport;
using MinikubeDemo.TestSupport.Docker;

namespace MinikubeDemo.Containers.Tests;

/// <summary>
/// Many idle keep-alive connections against a container held to the pod's memory limit: it must not be OOM-killed,
/// and must keep answering, new connections after a flood of them included.
/// </summary>
public sealed class IdleConnectionMemoryTests
{
    /// <summary>The memory limit of both Deployments in k8s/.</summary>
    private const long PodMemoryLimit = 128L * 1024 * 1024;

    private const int Connections = 2_000;
    private const int Rounds = 8;

    /// <summary>Enough idle connections to fill the GC heap the runtime takes from the limit (75 %), at about 10 KiB each.</summary>
    private const int FloodConnections = 12_000;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory(Timeout = 300_000)]
    [MemberData(nameof(DemoImages.Names), MemberType = typeof(DemoImages))]
    public async Task Idle_connections_stay_inside_the_pods_memory_limit_and_a_flood_of_them_is_turned_away_without_stopping_the_service(string name)
    {
        await DemoImages.RequireAsync();
        await using var container = Topology.Service(DemoImages.ByName(name))
            .WithCreateParameterModifier(parameters =>
            {
                var hostConfig = parameters.HostConfig ??= new HostConfig();
                hostConfig.Memory = PodMemoryLimit;
                hostConfig.MemorySwap = PodMemoryLimit; // no swap, as on a kubelet
            })
            .Build();
        await container.StartAsync(TestContext.Current.CancellationToken);
        // Straight to the container, as kube-proxy's rules send connections to a pod: Docker's userland port proxy
        // gives up after a few thousand connections of its own.
        var endpoint = new IPEndPoint(IPAddress.Parse(container.IpAddress), DemoContract.Port);
        if (!await CanReachAsync(endpoint))
        {
            Prerequisite.Missing($"The container's own address {endpoint} cannot be reached from here (as on Docker Desktop): "
                                 + "this test opens more connections than Docker's port proxy carries");
        }
        await RequestsAsync(endpoint, 500);
        using var metrics = new HttpClient { BaseAddress = new Uri($"http://{endpoint}") };
        var idle = await MemoryAsync(container);
        var peaks = new List<Memory>();
        for (var round = 0; round < Rounds; round++)
        {
            var (open, refused) = await OpenIdleAsync(endpoint, Connections);
            using (open)
            {
                Assert.Equal(0, refused);
                peaks.Add(await MemoryAsync(container));
            }
            await ClosedOnBothEndsAsync(metrics);
        }

        // More at once than a small pod should hold: the excess is turned away instead of filling the heap.
        var (flooding, floodRefused) = await OpenIdleAsync(endpoint, FloodConnections);
        Memory floodPeak;
        using (flooding)
        {
            floodPeak = await MemoryAsync(container);
        }
        await ClosedOnBothEndsAsync(metrics);

        // Then as many clients as in a round again, with the flood's garbage still in the heap: each is served.
        var (again, refusedAgain) = await OpenIdleAsync(endpoint, Connections);
        Memory after;
        using (again)
        {
            after = await MemoryAsync(container);
        }

        var state = Assert.IsType<State>((await DockerEngine.Client.Containers.InspectContainerAsync(container.Id, Ct)).State);
        Report.Line($"{name}, limit {PodMemoryLimit >> 20} MiB: idle {idle}; with {Connections} idle connections, round by round: "
                    + $"{string.Join(", ", peaks.Select(peak => peak.ToString()))}; {FloodConnections} at once: {floodPeak}, {floodRefused} turned away; "
                    + $"{Connections} more after it: {after}, {refusedAgain} turned away; OOM-killed: {state.OOMKilled}");
        Assert.False(state.OOMKilled, $"{name} was OOM-killed");
        Assert.True(state.Running, $"{name} is {state.Status}");
        await RequestsAsync(endpoint, 1);
        // No bound on the peak itself: between collections the GC may fill what it was given (3/4 of the limit) with
        // the garbage of closed connections, so a peak of 90-110 MiB is the runtime's choice, not a leak. What a
        // kill depends on is seen directly above, and the clients after the flood show the garbage is collected.
        Assert.True(floodRefused > 0, $"all {FloodConnections} connections were taken: nothing bounds what idle connections cost");
        Assert.Equal(0, refusedAgain);
    }

    /// <summary>What the container's cgroup charges (as <c>docker stats</c> shows it, without reclaimable page cache) and the process's resident set.</summary>
    private sealed record Memory(long Cgroup, long ProcessResident)
    {
        public override string ToString() => $"{Cgroup / 1048576.0:F1} MiB ({ProcessResident / 1048576.0:F1} MiB resident)";
    }

    private static async Task<Memory> MemoryAsync(IContainer container)
    {
        ContainerStatsResponse? stats = null;
        await DockerEngine.Client.Containers.GetContainerStatsAsync(container.Id, new ContainerStatsParameters { Stream = false },
            new Latest<ContainerStatsResponse>(sample => stats = sample), Ct);
        var memory = Assert.IsType<MemoryStats>(stats?.MemoryStats);
        // cgroup v1 names the reclaimable file cache total_inactive_file, v2 inactive_file; docker stats leaves it out.
        var usage = Assert.IsType<ulong>(memory.Usage);
        var counters = Assert.IsType<IDictionary<string, ulong>>(memory.Stats, exactMatch: false);
        var inactiveFile = counters.TryGetValue("total_inactive_file", out var v1) ? v1
            : counters.TryGetValue("inactive_file", out var v2) ? v2 : 0;
        // docker top: the engine's ps, since the image has none (and needs the PID column).
        var top = await DockerEngine.Client.Containers.ListProcessesAsync(container.Id, new ContainerListProcessesParameters { PsArgs = "-o pid,rss" }, Ct);
        var rss = top.Titles.IndexOf("RSS");
        var resident = top.Processes.Sum(process => long.Parse(process[rss], System.Globalization.CultureInfo.InvariantCulture) * 1024);
        return new Memory((long)(usage - inactiveFile), resident);
    }

    /// <summary>Reports on the calling thread, so that the one-shot sample is there when the call returns (Progress posts it for later).</summary>
    private sealed class Latest<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }

    /// <summary>
    /// Sockets that are closed together, by a reset: a client that closed first would keep each of them in TIME_WAIT
    /// for a minute, and the rounds' 30,000 connections to one address would use up the ephemeral ports.
    /// </summary>
    private sealed class OpenSockets : List<Socket>, IDisposable
    {
        public void Dispose() => ForEach(socket =>
        {
            socket.LingerState = new LingerOption(true, 0);
            socket.Dispose();
        });
    }

    /// <summary>
    /// Waits until Kestrel counts no connection but the one asking (its <c>kestrel.active_connections</c>), so that the
    /// next round never meets the last one's connections under the service's limit.
    /// </summary>
    private static async Task ClosedOnBothEndsAsync(HttpClient metrics)
    {
        while (true)
        {
            var active = (await metrics.GetStringAsync("/metrics", Ct)).Split('\n')
                .Where(line => line.StartsWith("kestrel_active_connections", StringComparison.Ordinal))
                .Sum(line => double.Parse(line[(line.LastIndexOf(' ') + 1)..], System.Globalization.CultureInfo.InvariantCulture));
            if (active <= 1)
            {
                return;
            }
            await Task.Delay(TimeSpan.FromMilliseconds(100), Ct);
        }
    }

    /// <summary>
    /// <paramref name="count"/> connections, each after one answered <c>GET /healthz</c>: keep-alive clients with
    /// nothing more to ask. Those the service closes instead of answering count as turned away.
    /// </summary>
    private static async Task<(OpenSockets Open, int Refused)> OpenIdleAsync(EndPoint endpoint, int count)
    {
        var open = new OpenSockets();
        var refused = 0;
        try
        {
            await Parallel.ForAsync(0, count, new ParallelOptions { MaxDegreeOfParallelism = 32, CancellationToken = Ct }, async (_, cancellationToken) =>
            {
                var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
                try
                {
                    await socket.ConnectAsync(endpoint, cancellationToken);
                    if (await HealthzAsync(socket, cancellationToken))
                    {
                        lock (open)
                        {
                            open.Add(socket);
                        }
                        return;
                    }
                }
                catch (SocketException)
                {
                    // Reset instead of answered.
                }
                socket.Dispose();
                Interlocked.Increment(ref refused);
            });
            return (open, refused);
        }
        catch
        {
            open.Dispose();
            throw;
        }
    }

    private static async Task<bool> CanReachAsync(EndPoint endpoint)
    {
        using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(5));
        try
        {
            await socket.ConnectAsync(endpoint, timeout.Token);
            return true;
        }
        catch (Exception e) when (e is SocketException || (e is OperationCanceledException && !Ct.IsCancellationRequested))
        {
            return false;
        }
    }

    /// <summary><paramref name="count"/> requests one after the other on one keep-alive connection.</summary>
    private static async Task RequestsAsync(EndPoint endpoint, int count)
    {
        using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(endpoint, Ct);
        for (var i = 0; i < count; i++)
        {
            Assert.True(await HealthzAsync(socket, Ct), $"the connection closed after {i} of {count} requests");
        }
    }

    private static readonly byte[] HealthzRequest = Encoding.ASCII.GetBytes("GET /healthz HTTP/1.1\r\nHost: memory.test\r\n\r\n");

    /// <summary>
    /// Sends <c>GET /healthz</c> and reads its whole answer (<c>Healthy</c>, chunked as Kestrel sends it); false when
    /// the connection closed first.
    /// </summary>
    private static async Task<bool> HealthzAsync(Socket socket, CancellationToken cancellationToken)
    {
        await socket.SendAsync(HealthzRequest, cancellationToken);
        var received = new List<byte>();
        var buffer = new byte[512];
        while (!System.Runtime.InteropServices.CollectionsMarshal.AsSpan(received).EndsWith("\r\n0\r\n\r\n"u8))
        {
            var read = await socket.ReceiveAsync(buffer, cancellationToken);
            if (read == 0)
            {
                return false;
            }
            received.AddRange(buffer.AsSpan(0, read));
        }
        var answer = Encoding.ASCII.GetString([.. received]);
        Assert.StartsWith("HTTP/1.1 200 ", answer, StringComparison.Ordinal);
        Assert.EndsWith("\r\n7\r\nHealthy\r\n0\r\n\r\n", answer, StringComparison.Ordinal);
        return true;
    }
}
