using System.Net;
using System.Net.NetworkInformation;
using System.Runtime.InteropServices;
using CliWrap;
using MinikubeDemo.ClusterTool.Cluster;

namespace MinikubeDemo.ClusterTool.Steps;

/// <summary>
/// The demo without a cluster: publishes both services, runs them as processes (the fetcher pointed at the server),
/// calls both, shows what they answered and which instance did, and stops them as the kubelet stops a pod.
/// </summary>
internal sealed partial class LocalRun(ToolHost host)
{
    private const int Sigterm = 15;
    private static readonly TimeSpan ReadyLimit = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan StopLimit = TimeSpan.FromSeconds(15);

    private readonly Lock _console = new();

    public async Task RunAsync(int serverPort, int fetcherPort, bool aot, CancellationToken cancellationToken)
    {
        var listening = IPGlobalProperties.GetIPGlobalProperties().GetActiveTcpListeners();
        foreach (var port in new[] { serverPort, fetcherPort }.Where(port => listening.Any(listener => listener.Port == port)))
        {
            throw new ClusterToolException($"Port {port} is in use here: stop what listens there, or pass another with --server-port=<n> / --fetcher-port=<n>.");
        }

        var output = Path.Combine(host.Repository, "artifacts", "local");
        var (server, fetcher) = (DemoContract.Apps[0], DemoContract.Apps[1]);
        foreach (var app in DemoContract.Apps)
        {
            await PublishAsync(app, Path.Combine(output, app.Project), aot, cancellationToken);
        }

        var serverUrl = new Uri($"http://127.0.0.1:{serverPort}/");
        var fetcherUrl = new Uri($"http://127.0.0.1:{fetcherPort}/");
        using var stop = new CancellationTokenSource();
        using var kill = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var running = new List<(string Label, CommandTask<CommandResult> Process)>();
        try
        {
            running.Add(("server", Start(Path.Combine(output, server.Project), server, "server", serverUrl, aot, new() { ["POD_NAME"] = "local-server" }, kill.Token, stop.Token)));
            running.Add(("fetcher", Start(Path.Combine(output, fetcher.Project), fetcher, "fetcher", fetcherUrl, aot, new()
            {
                ["POD_NAME"] = "local-fetcher",
                ["Upstream__BaseUrl"] = serverUrl.ToString().TrimEnd('/'),
            }, kill.Token, stop.Token)));

            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
            foreach (var ((label, process), url) in running.Zip([serverUrl, fetcherUrl]))
            {
                await WaitUntilReadyAsync(http, new Uri(url, "/readyz"), label, process.Task, cancellationToken);
            }

            var answers = new List<string>();
            var failures = 0;
            foreach (var (name, url, expected) in new[] { ("server", serverUrl, DemoContract.Server.Body), ("fetcher", fetcherUrl, DemoContract.Fetcher.Body) })
            {
                using var response = await http.GetAsync(url, cancellationToken);
                var body = await response.Content.ReadAsStringAsync(cancellationToken);
                var instances = string.Join(", ", new[] { DemoContract.Headers.Instance, DemoContract.Headers.UpstreamInstance, DemoContract.Headers.UpstreamAddress }
                    .Where(response.Headers.Contains)
                    .Select(header => $"{header}: {string.Join(",", response.Headers.GetValues(header))}"));
                var ok = response.StatusCode == HttpStatusCode.OK && body == expected;
                failures += ok ? 0 : 1;
                var line = $"{name,-8} GET {url} -> {(int)response.StatusCode} {body}   ({instances})";
                answers.Add(line);
                Say(ok ? $"[green]{Markup.Escape(line)}[/]" : $"[red]{Markup.Escape(line)}   expected {Markup.Escape(expected)}[/]");
            }

            await StopAsync(stop, kill, running);
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
        finally
        {
            // Whatever went wrong, no service is left running.
            await kill.CancelAsync();
            await Task.WhenAll(running.Select(service => service.Process.Task)).ContinueWith(_ => { }, TaskScheduler.Default);
        }
    }

    private async Task PublishAsync(DemoApp app, string folder, bool aot, CancellationToken cancellationToken)
    {
        string[] how = aot ? ["-p:PublishAot=true", "--use-current-runtime"] : ["-p:PublishAot=false"];
        var what = aot ? $"Publishing {app.Project} as a Native AOT binary (generating native code takes a minute or two)" : $"Publishing {app.Project}";
        var started = host.Time.GetTimestamp();
        ProcessResult? result = null;
        await host.Console.Status().StartAsync(Markup.Escape(what), async status =>
        {
            var publish = host.Runner.RunAsync(
                new ProcessSpec("dotnet", ["publish", $"{app.Project}/", "-c", "Release", "-o", folder, "-v", "quiet", "-nologo", .. how]) { WorkingDirectory = host.Repository },
                cancellationToken);
            // A terminal gets a live count; a log gets a line now and then that shows the build is alive.
            var every = host.Console.Profile.Capabilities.Interactive ? TimeSpan.FromSeconds(1) : TimeSpan.FromSeconds(15);
            while (await Task.WhenAny(publish, Task.Delay(every, host.Time, cancellationToken)) != publish)
            {
                status.Status(Markup.Escape($"{what}: {host.Time.GetElapsedTime(started).TotalSeconds:0} s"));
            }

            result = await publish;
        });

        if (!result!.Succeeded)
        {
            throw new ClusterToolException($"dotnet publish {app.Project}/ failed with exit code {result.ExitCode}:{Environment.NewLine}{(result.StandardOutput + result.StandardError).Trim()}");
        }

        Say($"[grey]Published {app.Project} in {host.Time.GetElapsedTime(started).TotalSeconds:0} s.[/]");
    }

    /// <summary>Starts a service, its lines shown as they come.</summary>
    private CommandTask<CommandResult> Start(string folder, DemoApp app, string label, Uri url, bool aot, Dictionary<string, string?> environment, CancellationToken kill, CancellationToken stop)
    {
        // No drain wait when the demo ends: nothing balances traffic to these processes.
        environment["Shutdown__DrainDelay"] = "00:00:00";
        var command = aot
            ? Cli.Wrap(Path.Combine(folder, app.Name)).WithArguments(["--urls", url.ToString().TrimEnd('/')])
            : Cli.Wrap("dotnet").WithArguments([Path.Combine(folder, app.Name + ".dll"), "--urls", url.ToString().TrimEnd('/')]);
        var show = PipeTarget.ToDelegate(line => Say($"[grey]{Markup.Escape($"[{label}] {line}")}[/]"));
        return command
            .WithEnvironmentVariables(environment)
            .WithStandardOutputPipe(show)
            .WithStandardErrorPipe(show)
            .WithValidation(CommandResultValidation.None)
            .ExecuteAsync(kill, stop);
    }

    private async Task WaitUntilReadyAsync(HttpClient http, Uri readiness, string label, Task process, CancellationToken cancellationToken)
    {
        var ready = await Poll.UntilAsync(host, async token =>
        {
            try
            {
                using var response = await http.GetAsync(readiness, token);
                return response.IsSuccessStatusCode;
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
                return false;
            }
        }, answered => answered ? WaitEnd.Done : process.IsCompleted ? WaitEnd.Failed : null, ReadyLimit, null, cancellationToken);
        if (ready.End != WaitEnd.Done)
        {
            throw new ClusterToolException(ready.End == WaitEnd.Failed
                ? $"The {label} stopped before it answered at {readiness} (its lines are above)."
                : $"The {label} did not answer at {readiness} within {ReadyLimit.TotalSeconds:0} s.");
        }
    }

    private async Task StopAsync(CancellationTokenSource stop, CancellationTokenSource kill, List<(string Label, CommandTask<CommandResult> Process)> running)
    {
        // SIGTERM as the kubelet sends it, to the services still running: a tool started in a shell's background job
        // passes SIGINT on ignored. Then Ctrl+C (SIGINT), which on Windows, where there is no SIGTERM, stops them.
        foreach (var (_, process) in running.Where(service => !OperatingSystem.IsWindows() && !service.Process.Task.IsCompleted))
        {
            _ = Terminate(process.ProcessId, Sigterm);
        }
        await stop.CancelAsync();
        kill.CancelAfter(StopLimit);
        foreach (var (label, process) in running)
        {
            // CliWrap ends a cancelled command's task as cancelled, whether the process exited by itself or was killed.
            await process.Task.ContinueWith(_ => { }, TaskScheduler.Default);
            if (kill.IsCancellationRequested)
            {
                throw new ClusterToolException($"The {label} did not stop within {StopLimit.TotalSeconds:0} s of being told to.");
            }

            Say($"[grey]Stopped the {label} as the kubelet stops a pod.[/]");
        }
    }

    [LibraryImport("libc", EntryPoint = "kill")]
    private static partial int Terminate(int pid, int signal);

    /// <summary>One whole line at a time, from whichever thread: the services' lines never land inside this run's own.</summary>
    private void Say(string markup)
    {
        lock (_console)
        {
            host.Console.MarkupLine(markup);
        }
    }
}
