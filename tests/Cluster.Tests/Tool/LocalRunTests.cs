using System.Globalization;
using System.Net;
using System.Net.Sockets;
using MinikubeDemo.ClusterTool.Commands;
using MinikubeDemo.Contract;
using MinikubeDemo.TestSupport;
using Spectre.Console.Testing;

namespace MinikubeDemo.Cluster.Tests.Tool;

/// <summary>`dotnet cake` where no cluster answers runs Local: both services published, run as processes, called, and stopped.</summary>
public sealed class LocalRunTests
{
    [Fact]
    public async Task Local_runs_both_services_and_shows_their_answers_and_which_instance_gave_them()
    {
        var server = ServiceProcess.FreePort();
        var fetcher = ServiceProcess.FreePort();
        using var console = new TestConsole().Width(250);
        var host = new ToolHost(SystemProcessRunner.Instance, console) { RepositoryRoot = RepositoryPaths.Root };

        var exitCode = await ToolApp.RunAsync(
            ["local", "--server-port", server.ToString(CultureInfo.InvariantCulture), "--fetcher-port", fetcher.ToString(CultureInfo.InvariantCulture)],
            host, TestContext.Current.CancellationToken);

        TestContext.Current.TestOutputHelper?.WriteLine(console.Output);
        Assert.True(exitCode == 0, console.Output);
        Assert.Contains($"server   GET http://127.0.0.1:{server}/ -> 200 {DemoContract.Server.Body}   (X-Instance: local-server)", console.Output, StringComparison.Ordinal);
        Assert.Contains($"fetcher  GET http://127.0.0.1:{fetcher}/ -> 200 {DemoContract.Fetcher.Body}   (X-Instance: local-fetcher, X-Upstream-Instance: local-server, X-Upstream-Address: 127.0.0.1:{server})",
            console.Output, StringComparison.Ordinal);
        Assert.Contains("Stopped the server as the kubelet stops a pod.", console.Output, StringComparison.Ordinal);
        Assert.True(ServiceProcess.IsFree(server) && ServiceProcess.IsFree(fetcher), "a service still listens after Local ended");
    }

    [Fact]
    public async Task A_port_in_use_is_named_before_anything_is_published()
    {
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var port = ((IPEndPoint)taken.LocalEndpoint).Port;
        using var console = new TestConsole().Width(250);
        var host = new ToolHost(SystemProcessRunner.Instance, console) { RepositoryRoot = RepositoryPaths.Root };

        var exitCode = await ToolApp.RunAsync(["local", "--server-port", port.ToString(CultureInfo.InvariantCulture)], host, TestContext.Current.CancellationToken);

        Assert.Equal(1, exitCode);
        Assert.Contains($"Port {port} is in use here", console.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("Publishing", console.Output, StringComparison.Ordinal);
    }
}
