using System.Net;
using System.Net.Sockets;

namespace MinikubeDemo.TestSupport;

/// <summary>
/// Bad configuration that service-defaults owns, tried on each service's real process: exit code 1 and one line on
/// stderr that names the setting, its value and what is expected; no stack trace anywhere. A test class per
/// service derives from this and names the service.
/// </summary>
public abstract class BadConfigurationContractTests
{
    /// <summary>Where a run listens when its case is not about listening: nowhere anyone else is.</summary>
    protected static readonly string[] AnyLoopbackPort = ["--urls", "http://127.0.0.1:0"];

    protected static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>The service's assembly (and application) name.</summary>
    protected abstract string AssemblyName { get; }

    [Theory]
    [InlineData("Shutdown__DrainDelay", "-1", "is -1.00:00:00; expected a duration from 00:00:00 to 00:00:20")]
    [InlineData("Shutdown__DrainDelay", "abc", "is 'abc', which is not a duration; expected hh:mm:ss")]
    // Today's default grace period is 30 s, and 10 s of it are for in-flight requests.
    [InlineData("Shutdown__DrainDelay", "00:01:00", "is 00:01:00; expected a duration from 00:00:00 to 00:00:20 (hh:mm:ss): the drain and 10 s for in-flight requests must fit in the pod's 30 s grace period, set by Shutdown:TerminationGracePeriodSeconds (env Shutdown__TerminationGracePeriodSeconds)")]
    [InlineData("Shutdown__TerminationGracePeriodSeconds", "5", "is 5; expected the pod's terminationGracePeriodSeconds, at least 10")]
    [InlineData("Shutdown__TerminationGracePeriodSeconds", "thirty", "is 'thirty', which is not a whole number")]
    public async Task A_bad_shutdown_setting_stops_the_start_in_one_line(string variable, string value, string expected)
    {
        var run = await RunAsync(AnyLoopbackPort, new() { [variable] = value });

        AssertOneLine(run, $"{variable.Replace("__", ":", StringComparison.Ordinal)} (env {variable}) {expected}");
    }

    [Fact]
    public async Task A_drain_delay_fits_a_longer_grace_period_when_the_pod_says_so()
    {
        using var service = await ServiceProcess.StartDotnetAsync(AssemblyName, new Dictionary<string, string>
        {
            ["Shutdown__TerminationGracePeriodSeconds"] = "60",
            ["Shutdown__DrainDelay"] = "00:00:50",
        }, Ct);

        using var client = new HttpClient { BaseAddress = service.BaseAddress };
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/healthz", Ct)).StatusCode);
    }

    [Fact]
    public async Task A_setting_the_binder_cannot_convert_is_named_by_its_full_path_even_in_a_section_bound_alone()
    {
        // The console logger binds Logging:Console as a root of its own, so the binder says only FormatterOptions:SingleLine.
        var run = await RunAsync(AnyLoopbackPort, new() { ["Logging__Console__FormatterOptions__SingleLine"] = "maybe" });

        AssertOneLine(run, "Logging:Console:FormatterOptions:SingleLine (env Logging__Console__FormatterOptions__SingleLine) is 'maybe', which is not true or false.");
    }

    [Theory]
    [InlineData("notaport")]
    [InlineData("8000;x")]
    [InlineData("70000")]
    public async Task Ports_that_are_not_port_numbers_stop_the_start_instead_of_listening_on_port_80(string ports)
    {
        var run = await RunAsync([], new() { ["ASPNETCORE_HTTP_PORTS"] = ports });

        AssertOneLine(run, $"http_ports (env ASPNETCORE_HTTP_PORTS) is '{ports}'", "not a port number; expected one like 8000");
    }

    [Theory]
    [InlineData("garbage")]
    [InlineData("http://127.0.0.1:notaport")]
    [InlineData("ftp://127.0.0.1:8000")]
    [InlineData("http://127.0.0.1:8000/path")]
    public async Task Urls_that_are_not_addresses_stop_the_start(string urls)
    {
        var run = await RunAsync(["--urls", urls], []);

        AssertOneLine(run, $"urls (env ASPNETCORE_URLS, or --urls) is '{urls}', which is not an address to listen on; expected http://HOST:PORT");
    }

    [Fact]
    public async Task A_port_in_use_names_the_address_and_how_to_pick_another()
    {
        // Every interface, as the default ASPNETCORE_HTTP_PORTS binds it: what a second service on 8000 meets.
        using var holder = new TcpListener(IPAddress.IPv6Any, 0);
        holder.Server.DualMode = true;
        holder.Start();
        var port = ((IPEndPoint)holder.LocalEndpoint).Port;

        var run = await RunAsync([], new() { ["ASPNETCORE_HTTP_PORTS"] = $"{port}" });

        AssertOneLine(run,
            $"Failed to bind to address http://[::]:{port}: address already in use.",
            $"http_ports (env ASPNETCORE_HTTP_PORTS), which is '{port}'",
            $"e.g. ASPNETCORE_HTTP_PORTS={port + 1}, or an address, e.g. --urls http://127.0.0.1:{port + 1}.");
    }

    [Fact]
    public async Task A_url_in_use_names_the_address_and_how_to_pick_another()
    {
        using var holder = new TcpListener(IPAddress.Loopback, 0);
        holder.Start();
        var port = ((IPEndPoint)holder.LocalEndpoint).Port;

        var run = await RunAsync(["--urls", $"http://127.0.0.1:{port}"], []);

        AssertOneLine(run,
            $"Failed to bind to address http://127.0.0.1:{port}: address already in use.",
            $"urls (env ASPNETCORE_URLS, or --urls), which is 'http://127.0.0.1:{port}'",
            $"e.g. --urls http://127.0.0.1:{port + 1}.");
    }

    protected Task<ServiceRun> RunAsync(string[] arguments, Dictionary<string, string> environment) =>
        ServiceRun.ToExitAsync(AssemblyName, arguments, environment, Ct);

    /// <summary>Exit code 1, one line on stderr from this service holding each of <paramref name="expected"/>, no stack trace.</summary>
    protected void AssertOneLine(ServiceRun run, params string[] expected)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(expected);
        var everything = string.Join(Environment.NewLine, run.AllLines);
        Assert.True(run.ExitCode == 1, $"exit code {run.ExitCode}; it wrote:{Environment.NewLine}{everything}");
        var line = Assert.Single(run.Errors);
        Assert.StartsWith($"{AssemblyName}: ", line, StringComparison.Ordinal);
        foreach (var part in expected)
        {
            Assert.Contains(part, line, StringComparison.Ordinal);
        }
        AssertNoStackTrace(run);
    }

    protected static void AssertNoStackTrace(ServiceRun run)
    {
        ArgumentNullException.ThrowIfNull(run);
        Assert.DoesNotContain(run.AllLines, line => line.Contains("   at ", StringComparison.Ordinal)
            || line.Contains("Unhandled exception", StringComparison.Ordinal)
            || line.Contains("Hosting failed to start", StringComparison.Ordinal));
    }
}
