using MinikubeDemo.ClusterTool.Cluster;

namespace MinikubeDemo.ClusterTool.Steps;

/// <summary>
/// One run of `watch`: <see cref="DemoWatch"/> and <see cref="Trickle"/> watch and send; this prints a line for each
/// change, as `kubectl get -w` does, each pod's share of the answers every few seconds, and a summary at the end.
/// </summary>
internal sealed class WatchSession(ToolHost host, DemoCluster cluster, int rate, int durationSeconds)
{
    /// <summary>How far back "each pod's share of the answers" looks.</summary>
    private static readonly TimeSpan Window = TimeSpan.FromSeconds(10);

    private readonly Lock _print = new();
    private readonly long _started = host.Time.GetTimestamp();
    private DemoView _shown = DemoView.Empty;
    private int _endpointChanges;

    /// <summary>Every request sent, once the watch has ended.</summary>
    public TrafficTally Requests { get; private set; } = new([]);

    /// <summary>How many times the Service's endpoint list changed while watching.</summary>
    public int EndpointChanges => _endpointChanges;

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        if (durationSeconds > 0)
        {
            stop.CancelAfter(TimeSpan.FromSeconds(durationSeconds));
        }

        var watch = new DemoWatch(cluster);
        var trickle = new Trickle(host, cluster, rate);
        host.Console.WriteLine(
            $"Watching {DemoContract.Server.Deployment}, the endpoints of {DemoContract.Server.Service} and its pods; {rate} requests a second through the fetcher. " +
            $"{(durationSeconds > 0 ? $"For {durationSeconds} s." : "Ctrl+C to stop.")} In another terminal: kubectl scale deployment {DemoContract.Server.Deployment} --replicas=1");
        try
        {
            await Task.WhenAll(watch.RunAsync(Observe, stop.Token), trickle.RunAsync(Failed, stop.Token), PrintSharesAsync(trickle, stop.Token));
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // Ctrl+C or --duration: the normal end of a watch.
        }

        Requests = trickle.Total;
        var summary = new Tree(Markup.Escape($"Watched for {host.Time.GetElapsedTime(_started).TotalSeconds:0} s: {Requests.Total} requests, {Requests.Total - Requests.Failed} answered, {Requests.Failed} failed"));
        foreach (var (pod, count) in Requests.Instances)
        {
            summary.AddNode(Markup.Escape($"{pod}: {count} answers"));
        }

        if (Requests.Failed > 0)
        {
            summary.AddNode($"[red]failed: {Markup.Escape(Requests.Failures)}[/]");
        }

        summary.AddNode(Markup.Escape($"endpoint list changes seen: {_endpointChanges}{(watch.Relists > 0 ? $" (a watch was started again {watch.Relists} times)" : "")}"));
        host.Console.WriteLine();
        host.Console.Write(summary);
    }

    /// <summary>A line for each change since the last view: the Deployment, the endpoint list, each pod.</summary>
    private void Observe(DemoView view)
    {
        lock (_print)
        {
            var before = _shown;
            _shown = view;
            if (view.Server is { } server && server.Summary != before.Server?.Summary)
            {
                Line(Markup.Escape($"deployment {server.Deployment}: {server.Desired} desired, {server.Summary}"));
            }

            if (view.EndpointsListed && (!before.EndpointsListed || view.EndpointsLikeKubectl != before.EndpointsLikeKubectl))
            {
                _endpointChanges += before.EndpointsListed ? 1 : 0;
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

    private void Failed(FetchAttempt attempt)
    {
        if (attempt.Problem is { } problem)
        {
            lock (_print)
            {
                Line($"[red]{Markup.Escape($"request failed ({attempt.FailureKind}): {problem}")}[/]");
            }
        }
    }

    /// <summary>Each pod's share of the answers of the last <see cref="Window"/>, every ten looks a person would give it: five seconds.</summary>
    private async Task PrintSharesAsync(Trickle trickle, CancellationToken cancellationToken)
    {
        using var every = new PeriodicTimer(host.PollInterval * 10, host.Time);
        while (await every.WaitForNextTickAsync(cancellationToken))
        {
            var last = trickle.Last(Window);
            var answered = last.Total - last.Failed;
            var shares = string.Join(", ", last.Instances.Select(pair => $"{pair.Key} {100.0 * pair.Value / Math.Max(1, answered):0}%"));
            lock (_print)
            {
                Line(Markup.Escape($"last {Window.TotalSeconds:0} s: {answered} answers{(answered > 0 ? $": {shares}" : "")}{(last.Failed > 0 ? $"; {last.Failed} failed ({last.Failures})" : "")}"));
            }
        }
    }

    private void Line(string markup) => host.Console.MarkupLine($"[grey]+{host.Time.GetElapsedTime(_started).TotalSeconds,5:0.0} s[/]  {markup}");
}
