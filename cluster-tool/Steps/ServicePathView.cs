using Spectre.Console.Rendering;

namespace MinikubeDemo.ClusterTool.Steps;

/// <summary>Draws Figure 2 from live data: name, DNS, Service, endpoints, and what the requests through the fetcher did.</summary>
internal static class ServicePathView
{
    private const int BarWidth = 30;

    public static IRenderable Render(ServicePath path, TrafficTally tally)
    {
        var root = new Tree(Markup.Escape($"GET / through {DemoContract.Fetcher.Service}: {tally.Total} requests, {tally.Total - tally.Failed} answered with the chapter's body"));
        var calls = root.AddNode(Markup.Escape($"the fetcher calls {path.UpstreamUrl}"));
        var dns = calls.AddNode(Markup.Escape($"cluster DNS: {path.Name} is {path.FullName}"));
        var service = dns.AddNode(Markup.Escape(ServiceLine(path)));

        foreach (var (address, count) in tally.Addresses)
        {
            service.AddNode(Markup.Escape($"the fetcher connected to {address} ({Describe(path, address)}): {count} answers"));
        }

        var endpoints = service.AddNode(Markup.Escape($"EndpointSlices: {path.Endpoints.Count(endpoint => endpoint.Ready)} ready of {path.Endpoints.Count}"));
        var answers = tally.Instances.ToDictionary(pair => pair.Key, pair => pair.Value, StringComparer.Ordinal);
        var most = Math.Max(1, answers.Values.DefaultIfEmpty(0).Max());
        foreach (var endpoint in path.Endpoints)
        {
            var count = endpoint.Pod is { } pod ? answers.GetValueOrDefault(pod) : 0;
            var bar = new string('█', (int)Math.Round(BarWidth * (double)count / most));
            endpoints.AddNode($"{Markup.Escape(endpoint.Endpoint)}  pod {Markup.Escape(endpoint.Pod ?? "?")}  node {Markup.Escape(endpoint.Node ?? "?")}{(endpoint.Ready ? "" : "  [yellow](not ready)[/]")}  {count,4} answers [aqua]{bar}[/]");
        }

        foreach (var (pod, count) in tally.Instances.Where(pair => path.Endpoints.All(endpoint => endpoint.Pod != pair.Key)))
        {
            // An answer from a pod the slices no longer list: it was replaced while the requests ran.
            endpoints.AddNode(Markup.Escape($"{pod} (no longer listed): {count} answers"));
        }

        if (tally.Failed > 0)
        {
            root.AddNode($"[red]{Markup.Escape(tally.Failures)} failed[/]");
        }

        return root;
    }

    private static string ServiceLine(ServicePath path)
    {
        var spec = path.Service.Spec;
        var port = path.Port;
        var ports = port is null ? "no port" : $"port {port.Port}";
        if (port?.NodePort is { } nodePort)
        {
            ports += $", node port {nodePort}";
        }

        return $"Service {path.Service.Metadata.Name}: {spec?.Type ?? "ClusterIP"}, ClusterIP {path.ClusterIp ?? "None (headless)"}, {ports}";
    }

    private static string Describe(ServicePath path, string address) =>
        address == TrafficTally.NoHeader ? $"the fetcher sent no {DemoContract.Headers.UpstreamAddress}" : path.Describe(address);
}
