using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using MinikubeDemo.ClusterTool.Processes;
using MinikubeDemo.Contract;
using Spectre.Console;
using Spectre.Console.Cli;

namespace MinikubeDemo.ClusterTool.Commands;

internal sealed class LocalSettings : CommandSettings
{
    [CommandOption("--server-port <PORT>")]
    [Description("The server's port (the course's 8000).")]
    [DefaultValue(DemoContract.Port)]
    public int ServerPort { get; init; } = DemoContract.Port;

    [CommandOption("--fetcher-port <PORT>")]
    [Description("The fetcher's port; it calls the server on --server-port.")]
    [DefaultValue(8001)]
    public int FetcherPort { get; init; } = 8001;

    [CommandOption("--aot")]
    [Description("Publish Native AOT binaries, as in the images (a minute or two each), instead of framework-dependent ones.")]
    public bool Aot { get; init; }

    public override ValidationResult Validate() =>
        ServerPort is < 1 or > 65535 || FetcherPort is < 1 or > 65535 || ServerPort == FetcherPort
            ? ValidationResult.Error("--server-port and --fetcher-port must be two different ports from 1 to 65535")
            : ValidationResult.Success();
}

/// <summary>
/// `local`: the demo without a cluster. Publishes both services, runs them as processes (the fetcher pointed at
/// the server), calls both, shows what they answered and which instance did, and stops them with SIGTERM.
/// </summary>
internal sealed class LocalCommand : AsyncCommand<LocalSettings>
{
    private static readonly TimeSpan ReadyLimit = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan StopLimit = TimeSpan.FromSeconds(15);

    private static readonly Lock Console = new();

    public override Task<int> ExecuteAsync(CommandContext context, LocalSettings settings, CancellationToken cancellationToken) =>
        CommandOutcome.RunAsync(AnsiConsole.Console, () => RunAsync(settings, cancellationToken), cancellationToken);

    private static async Task RunAsync(LocalSettings settings, CancellationToken cancellationToken)
    {
        foreach (var port in new[] { settings.ServerPort, settings.FetcherPort }.Where(port => !ServiceProcess.IsFree(port)))
        {
            throw new ClusterToolException(string.Create(CultureInfo.InvariantCulture,
                $"Port {port} is in use on 127.0.0.1: stop what listens there, or pass another with --server-port=<n> / --fetcher-port=<n>."));
        }

        var root = RepositoryLocation.Find();
        var output = Path.Combine(root, "artifacts", "local");
        var (server, fetcher) = (DemoContract.Apps[0], DemoContract.Apps[1]);
        foreach (var app in DemoContract.Apps)
        {
            await PublishAsync(root, app, Path.Combine(output, app.Project), settings.Aot, cancellationToken);
        }

        var serverUrl = new Uri($"http://127.0.0.1:{settings.ServerPort}/");
        var fetcherUrl = new Uri($"http://127.0.0.1:{settings.FetcherPort}/");
        using var serverProcess = Start(Path.Combine(output, server.Project), server, "server", serverUrl, settings.Aot, new() { ["POD_NAME"] = "local-server" });
        using var fetcherProcess = Start(Path.Combine(output, fetcher.Project), fetcher, "fetcher", fetcherUrl, settings.Aot, new()
        {
            ["POD_NAME"] = "local-fetcher",
            ["Upstream__BaseUrl"] = serverUrl.ToString().TrimEnd('/'),
        });
        await serverProcess.WaitUntilAnswersAsync("/readyz", ReadyLimit, cancellationToken);
        await fetcherProcess.WaitUntilAnswersAsync("/readyz", ReadyLimit, cancellationToken);

        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        var answers = new List<string>();
        var failures = 0;
        foreach (var (name, url, expected) in new[] { ("server", serverUrl, DemoContract.Server.Body), ("fetcher", fetcherUrl, DemoContract.Fetcher.Body) })
        {
            using var response = await http.GetAsync(url, cancellationToken);
            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            var instances = string.Join(", ", new[] { DemoContract.Headers.Instance, DemoContract.Headers.UpstreamInstance, DemoContract.Headers.UpstreamAddress }
                .Where(response.Headers.Contains)
                .Select(header => $"{header}: {string.Join(",", response.Headers.GetValues(header))}"));
            var ok = response.StatusCode == System.Net.HttpStatusCode.OK && body == expected;
            failures += ok ? 0 : 1;
            var line = $"{name,-8} GET {url} -> {(int)response.StatusCode} {body}   ({instances})";
            answers.Add(line);
            Say(ok ? $"[green]{Markup.Escape(line)}[/]" : $"[red]{Markup.Escape(line)}   expected {Markup.Escape(expected)}[/]");
        }

        Stop(fetcherProcess, "fetcher");
        Stop(serverProcess, "server");
        if (failures > 0)
        {
            throw new ClusterToolException($"{failures} of the 2 answers were not what the chapter shows (above).");
        }

        // The services' own lines scroll past; the answers end the run where a person looks.
        Say(string.Empty);
        Say("[bold]The demo without a cluster:[/]");
        foreach (var line in answers)
        {
            Say(Markup.Escape("  " + line));
        }
    }

    private static async Task PublishAsync(string root, DemoApp app, string folder, bool aot, CancellationToken cancellationToken)
    {
        string[] how = aot ? ["-p:PublishAot=true", "--use-current-runtime"] : ["-p:PublishAot=false"];
        var what = aot ? $"Publishing {app.Project} as a Native AOT binary (generating native code takes a minute or two)" : $"Publishing {app.Project}";
        Say(Markup.Escape(what + "..."));
        var clock = Stopwatch.StartNew();
        ProcessResult? result = null;
        await AnsiConsole.Status().StartAsync(Markup.Escape(what), async status =>
        {
            // A terminal gets a live count; a log gets a line now and then that shows the build is alive.
            using var ticker = new PeriodicTimer(AnsiConsole.Profile.Capabilities.Interactive ? TimeSpan.FromSeconds(1) : TimeSpan.FromSeconds(15));
            var publish = SystemProcessRunner.Instance.RunAsync(
                new ProcessSpec("dotnet", ["publish", $"{app.Project}/", "-c", "Release", "-o", folder, "-v", "quiet", "-nologo", .. how]) { WorkingDirectory = root },
                cancellationToken);
            while (!publish.IsCompleted && await ticker.WaitForNextTickAsync(cancellationToken))
            {
                status.Status(Markup.Escape(string.Create(CultureInfo.InvariantCulture, $"{what}: {clock.Elapsed.TotalSeconds:0} s")));
            }

            result = await publish;
        });

        if (!result!.Succeeded)
        {
            throw new ClusterToolException($"dotnet publish {app.Project}/ failed with exit code {result.ExitCode}:{Environment.NewLine}{(result.StandardOutput + result.StandardError).Trim()}");
        }

        Say(string.Create(CultureInfo.InvariantCulture, $"[grey]Published {app.Project} in {clock.Elapsed.TotalSeconds:0} s.[/]"));
    }

    private static ServiceProcess Start(string folder, DemoApp app, string label, Uri url, bool aot, Dictionary<string, string> environment)
    {
        var start = aot
            ? new ProcessStartInfo(Path.Combine(folder, app.Name))
            : new ProcessStartInfo("dotnet", [Path.Combine(folder, app.Name + ".dll")]);
        start.ArgumentList.Add("--urls");
        start.ArgumentList.Add(url.ToString().TrimEnd('/'));
        // No drain wait when the demo ends: nothing balances traffic to these processes.
        environment["Shutdown__DrainDelay"] = "00:00:00";
        return ServiceProcess.Start(start, url, environment, line => Say($"[grey]{Markup.Escape($"[{label}] {line}")}[/]"));
    }

    /// <summary>SIGTERM, as Kubernetes stops a pod, so the services shut down the way they do there.</summary>
    private static void Stop(ServiceProcess service, string label)
    {
        service.SendSigterm();
        if (!service.Process.WaitForExit(StopLimit))
        {
            throw new ClusterToolException(string.Create(CultureInfo.InvariantCulture, $"The {label} did not stop within {StopLimit.TotalSeconds:0} s of SIGTERM."));
        }

        Say(string.Create(CultureInfo.InvariantCulture, $"[grey]Stopped the {label} with SIGTERM (exit code {service.Process.ExitCode}).[/]"));
    }

    /// <summary>One whole line at a time, from whichever thread: the services' lines never land inside this command's own.</summary>
    private static void Say(string markup)
    {
        lock (Console)
        {
            AnsiConsole.MarkupLine(markup);
        }
    }
}
