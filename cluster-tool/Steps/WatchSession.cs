using System.Diagnostics;
using System.Globalization;
using MinikubeDemo.ClusterTool.Cluster;
using MinikubeDemo.Contract;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace MinikubeDemo.ClusterTool.Steps;

/// <summary>
/// One run of `watch` on a console: <see cref="DemoWatch"/> and <see cref="Trickle"/> watch and send; this draws.
/// On a terminal it redraws one view in place; in a log (or a test console) it prints a line for each change.
/// </summary>
public sealed class WatchSession(ToolHost host, DemoCluster cluster, int rate, int durationSeconds)
{
    /// <summary>How far back "each pod's share of the answers" looks.</summary>
    public static readonly TimeSpan Window = TimeSpan.FromSeconds(10);

    private static readonly TimeSpan RedrawEvery = TimeSpan.FromMilliseconds(250);

    private readonly IAnsiConsole console = host.Console;
    private readonly Lock _print = new();
    private readonly Stopwatch _clock = new();
    private readonly List<string> _recentFailures = [];
    private DemoView _shown = DemoView.Empty;
    private int _endpointChanges;

    /// <summary>Every request sent, once the watch has ended.</summary>
    public TrafficTally Requests { get; private set; } = new();

    /// <summary>How many times the Service's endpoint list changed while watching.</summary>
    public int EndpointChanges => _endpointChanges;

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        if (durationSeconds > 0)
        {
            stop.CancelAfter(TimeSpan.FromSeconds(durationSeconds));
        }

        var live = console.Profile.Capabilities is { Interactive: true, Ansi: true };
        var watch = new DemoWatch(cluster);
        var trickle = new Trickle(cluster, rate);
        _clock.Start();
        Say(Markup.Escape(string.Create(CultureInfo.InvariantCulture,
            $"Watching {DemoContract.Server.Deployment}, the endpoints of {DemoContract.Server.Service} and its pods; {rate} requests a second through the fetcher. " +
            $"{(durationSeconds > 0 ? $"For {durationSeconds} s." : "Ctrl+C to stop.")} In another terminal: kubectl scale deployment {DemoContract.Server.Deployment} --replicas=1")));

        var running = new List<Task>
        {
            watch.RunAsync(view => Observe(view, print: !live), stop.Token),
            trickle.RunAsync(attempt => Failed(attempt, live), stop.Token),
        };
        if (live)
        {
            running.Add(console.Live(Render(watch.View, trickle)).StartAsync(async context =>
            {
                while (!stop.IsCancellationRequested)
                {
                    context.UpdateTarget(Render(watch.View, trickle));
                    await Task.Delay(RedrawEvery, stop.Token).ContinueWith(_ => { }, TaskScheduler.Default);
                }
            }));
        }
        else
        {
            running.Add(PrintTrafficAsync(trickle, stop.Token));
        }

        try
        {
            await Task.WhenAll(running);
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // Ctrl+C or --duration: the normal end of a watch.
        }

        Requests = trickle.Total;
        console.WriteLine();
        console.Write(Summary(Requests, watch.Relists));
    }

    /// <summary>Counts what changed since the last view and, in a log, prints a line for each change.</summary>
    private void Observe(DemoView view, bool print)
    {
        lock (_print)
        {
            var before = _shown;
            _shown = view;
            if (before.EndpointsListed && view.EndpointsLikeKubectl != before.EndpointsLikeKubectl)
            {
                _endpointChanges++;
            }

            if (!print)
            {
                return;
            }

            if (view.Server is { } server && server.Summary != before.Server?.Summary)
            {
                Line(Markup.Escape($"deployment {server.Deployment}: {server.Desired} desired, {server.Summary}"));
            }

            if (view.EndpointsListed && (!before.EndpointsListed || view.EndpointsLikeKubectl != before.EndpointsLikeKubectl))
            {
                Line($"[aqua]endpoints {Markup.Escape(DemoContract.Server.Service)}   {Markup.Escape(view.EndpointsLikeKubectl)}[/]");
            }

            var was = before.Pods.ToDictionary(pod => pod.Name, StringComparer.Ordinal);
            foreach (var pod in view.Pods.Where(pod => !was.TryGetValue(pod.Name, out var earlier) || earlier != pod))
            {
                Line(Markup.Escape($"pod {pod.Name}: {pod.State}{(pod.Node is null ? "" : $" on node {pod.Node}")}"));
            }

            foreach (var gone in before.Pods.Where(pod => view.Pods.All(now => now.Name != pod.Name)))
            {
                Line(Markup.Escape($"pod {gone.Name}: gone"));
            }
        }
    }

    private void Failed(FetchAttempt attempt, bool live)
    {
        if (attempt.Problem is not { } problem)
        {
            return;
        }

        lock (_print)
        {
            var line = $"request failed ({attempt.FailureKind}): {problem}";
            if (live)
            {
                _recentFailures.Add($"{Elapsed} {line}");
                _recentFailures.RemoveRange(0, Math.Max(0, _recentFailures.Count - 3));
            }
            else
            {
                Line($"[red]{Markup.Escape(line)}[/]");
            }
        }
    }

    private async Task PrintTrafficAsync(Trickle trickle, CancellationToken cancellationToken)
    {
        // Every ten looks a person would give it: five seconds.
        using var every = new PeriodicTimer(host.PollInterval * 10, host.Time);
        while (await every.WaitForNextTickAsync(cancellationToken))
        {
            lock (_print)
            {
                Line(Markup.Escape(TrafficLine(trickle.Last(Window))));
            }
        }
    }

    private static string TrafficLine(TrafficTally last)
    {
        var answered = last.Total - last.Failed;
        var shares = string.Join(", ", last.Instances.Select(pair => string.Create(CultureInfo.InvariantCulture, $"{pair.Key} {100.0 * pair.Value / Math.Max(1, answered):0}%")));
        var failed = last.Failed > 0 ? $"; {last.Failed} failed ({string.Join(", ", last.Failures.Select(pair => $"{pair.Key} × {pair.Value}"))})" : "";
        return string.Create(CultureInfo.InvariantCulture, $"last {Window.TotalSeconds:0} s: {answered} answers{(answered > 0 ? $": {shares}" : "")}{failed}");
    }

    private Rows Render(DemoView view, Trickle trickle)
    {
        var server = view.Server is { } state
            ? $"deployment {state.Deployment}: {state.Desired} desired, {state.Summary}"
            : $"deployment {DemoContract.Server.Deployment}: not found (dotnet cake --target=Deploy)";
        var endpoints = new Table().Border(TableBorder.None).AddColumn("NAME").AddColumn("ENDPOINTS")
            .AddRow(Markup.Escape(DemoContract.Server.Service), Markup.Escape(view.EndpointsLikeKubectl));
        var pods = new Table().Border(TableBorder.Simple).AddColumn("POD").AddColumn("STATE").AddColumn("NODE");
        foreach (var pod in view.Pods)
        {
            pods.AddRow(Markup.Escape(pod.Name), Markup.Escape(pod.State), Markup.Escape(pod.Node ?? ""));
        }

        var last = trickle.Last(Window);
        IRenderable shares = new Text(TrafficLine(last));
        if (last.Instances.Count > 0)
        {
            // Spectre's bar chart cannot draw no bars.
            shares = new BarChart().Width(Math.Min(console.Profile.Width, 100)).Label(Markup.Escape(TrafficLine(last))).LeftAlignLabel()
                .AddItems(last.Instances, pair => new BarChartItem(pair.Key, pair.Value, Color.Aqua));
        }

        List<IRenderable> rows = [new Text($"{Elapsed}  {server}"), endpoints, pods, shares];
        lock (_print)
        {
            rows.AddRange(_recentFailures.Select(failure => new Markup($"[red]{Markup.Escape(failure)}[/]")));
        }

        return new Rows(rows);
    }

    private Tree Summary(TrafficTally total, int relists)
    {
        var summary = new Tree(Markup.Escape(string.Create(CultureInfo.InvariantCulture,
            $"Watched for {_clock.Elapsed.TotalSeconds:0} s: {total.Total} requests, {total.Total - total.Failed} answered, {total.Failed} failed")));
        foreach (var (pod, count) in total.Instances)
        {
            summary.AddNode(Markup.Escape(string.Create(CultureInfo.InvariantCulture, $"{pod}: {count} answers")));
        }

        foreach (var (status, count) in total.Failures)
        {
            summary.AddNode($"[red]{Markup.Escape(string.Create(CultureInfo.InvariantCulture, $"failed {status}: {count}"))}[/]");
        }

        summary.AddNode(Markup.Escape(string.Create(CultureInfo.InvariantCulture,
            $"endpoint list changes seen: {_endpointChanges}{(relists > 0 ? $" (a watch was started again {relists} times)" : "")}")));
        return summary;
    }

    private string Elapsed => string.Create(CultureInfo.InvariantCulture, $"+{_clock.Elapsed.TotalSeconds,5:0.0} s");

    private void Line(string markup) => console.MarkupLine($"[grey]{Elapsed}[/]  {markup}");

    private void Say(string markup)
    {
        lock (_print)
        {
            console.MarkupLine(markup);
        }
    }
}
