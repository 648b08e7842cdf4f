using MinikubeDemo.ClusterTool.Cluster;

namespace MinikubeDemo.ClusterTool.Steps;

/// <summary>The wait for the cluster's DNS (CoreDNS, labelled <c>k8s-app=kube-dns</c> in kube-system): the fetcher finds the server through it.</summary>
internal static class ClusterDnsWait
{
    public static async Task RunAsync(ToolHost host, DemoCluster cluster, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var result = await Poll.UntilAsync(host, async token => Describe(await cluster.ReadClusterDnsAsync(token)),
            dns => dns.Ready ? WaitEnd.Done : null, timeout, null, cancellationToken);
        if (result.End != WaitEnd.Done)
        {
            throw new ClusterToolException(
                $"The cluster's DNS is not available ({result.Last.Summary}): the fetcher finds the server by name through it. kubectl -n kube-system describe deployment {result.Last.Name}");
        }

        host.Console.MarkupLineInterpolated($"[grey]Cluster DNS: {result.Last.Summary}[/]");
    }

    /// <summary>Ready, or nothing this tool can wait for: no such Deployment, or not allowed to read kube-system.</summary>
    private static (bool Ready, string? Name, string Summary) Describe(IList<k8s.Models.V1Deployment>? found) => found switch
    {
        null => (true, null, "not waited for (not allowed to read kube-system)"),
        [] => (true, null, "not waited for (no k8s-app=kube-dns Deployment in kube-system)"),
        [var dns, ..] => (
            (dns.Status?.AvailableReplicas ?? 0) >= Math.Max(dns.Spec?.Replicas ?? 1, 1),
            dns.Metadata.Name,
            $"kube-system/{dns.Metadata.Name} {dns.Status?.AvailableReplicas ?? 0}/{dns.Spec?.Replicas ?? 1} available"),
    };
}
