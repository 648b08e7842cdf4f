using System.Text.RegularExpressions;
using k8s.Models;

namespace MinikubeDemo.ClusterTool.Cluster;

/// <summary>
/// Which cluster the current kubeconfig context reaches, told from the context's name and the nodes the API
/// lists. <see cref="Name"/> is what the cluster's own tools call it: the minikube profile, the kind or k3d
/// cluster. <see cref="Nodes"/> is empty when no cluster was asked (<c>--cluster docker</c>).
/// </summary>
internal sealed partial record ClusterIdentity(ClusterKind Kind, string? Name, IReadOnlyList<ClusterNode> Nodes)
{
    public const string MinikubeProfileLabel = "minikube.k8s.io/name";
    public const string MinikubePrimaryLabel = "minikube.k8s.io/primary";

    /// <summary>The container runtime of the nodes (minikube's build options depend on it); docker when unknown.</summary>
    public string Runtime => Nodes.FirstOrDefault(node => node.Primary)?.Runtime ?? (Nodes.Count > 0 ? Nodes[0].Runtime : "docker");

    public override string ToString() => Name is null ? Describe(Kind) : $"{Describe(Kind)} cluster {Name}";

    /// <summary>How people write the kind: the value of <c>--cluster</c>.</summary>
    public static string Describe(ClusterKind kind) => kind switch
    {
        ClusterKind.RancherDesktop => "rancher-desktop",
        ClusterKind.DockerDesktop => "docker-desktop",
        _ => kind.ToString().ToLowerInvariant(),
    };

    /// <summary>The kind <c>--cluster</c> names, or null when it names none.</summary>
    public static ClusterKind? Parse(string value) =>
        Enum.GetValues<ClusterKind>().Where(kind => string.Equals(Describe(kind), value, StringComparison.OrdinalIgnoreCase)).Cast<ClusterKind?>().FirstOrDefault();

    /// <summary>
    /// Tells the kind from the context name and the nodes, in this order: minikube labels its nodes with its
    /// profile whatever the context is called; Docker Desktop and Rancher Desktop name their contexts; kind marks
    /// its nodes' provider ID (<c>kind://docker/&lt;cluster&gt;/&lt;node&gt;</c>) and k3d names its context
    /// <c>k3d-&lt;cluster&gt;</c>; any other node whose kubelet says <c>+k3s</c> is a k3s of its own.
    /// <paramref name="forced"/> (<c>--cluster</c>) overrides the kind, not the names read from the cluster.
    /// </summary>
    public static ClusterIdentity Detect(string? context, IReadOnlyList<V1Node> nodes, ClusterKind? forced = null)
    {
        var described = nodes.Select(node => new ClusterNode(
            node.Metadata?.Name ?? "",
            RuntimeOf(node),
            Label(node, MinikubePrimaryLabel) == "true",
            Label(node, "kubernetes.io/hostname"))).ToList();
        var minikubeProfile = nodes.Select(node => Label(node, MinikubeProfileLabel)).FirstOrDefault(profile => profile is { Length: > 0 });
        var kindCluster = nodes.Select(node => KindProviderId().Match(node.Spec?.ProviderID ?? "")).FirstOrDefault(match => match.Success)?.Groups["cluster"].Value;
        var k3dCluster = nodes.Select(node => K3dNode().Match(node.Metadata?.Name ?? "")).FirstOrDefault(match => match.Success)?.Groups["cluster"].Value;
        var kubeletIsK3s = nodes.Any(node => node.Status?.NodeInfo?.KubeletVersion?.Contains("+k3s", StringComparison.Ordinal) == true);

        var kind = forced ?? (context, minikubeProfile, kindCluster) switch
        {
            (_, { }, _) => ClusterKind.Minikube,
            ("docker-desktop", _, _) => ClusterKind.DockerDesktop,
            ("rancher-desktop", _, _) => ClusterKind.RancherDesktop,
            (_, _, { }) => ClusterKind.Kind,
            _ when context?.StartsWith("kind-", StringComparison.Ordinal) == true => ClusterKind.Kind,
            _ when context?.StartsWith("k3d-", StringComparison.Ordinal) == true || k3dCluster is not null => ClusterKind.K3d,
            _ when kubeletIsK3s => ClusterKind.K3s,
            _ => ClusterKind.Docker,
        };

        var name = kind switch
        {
            ClusterKind.Minikube => minikubeProfile ?? "minikube",
            ClusterKind.Kind => kindCluster ?? AfterPrefix(context, "kind-"),
            ClusterKind.K3d => AfterPrefix(context, "k3d-") ?? k3dCluster,
            _ => null,
        };
        return new ClusterIdentity(kind, name, described);
    }

    /// <summary>k3d names its nodes k3d-&lt;cluster&gt;-server-N and k3d-&lt;cluster&gt;-agent-N, whatever the context is called.</summary>
    [GeneratedRegex("^k3d-(?<cluster>.+)-(server|agent)-[0-9]+$")]
    private static partial Regex K3dNode();

    private static string? Label(V1Node node, string key) =>
        node.Metadata?.Labels is { } labels && labels.TryGetValue(key, out var value) ? value : null;

    /// <summary>"docker://28.4.0" → "docker"; "containerd://2.1.4" → "containerd".</summary>
    private static string RuntimeOf(V1Node node) =>
        node.Status?.NodeInfo?.ContainerRuntimeVersion is { } version && version.IndexOf("://", StringComparison.Ordinal) is > 0 and var end
            ? version[..end].ToLower(CultureInfo.InvariantCulture)
            : "docker";

    /// <summary>kind's provider ID: kind://&lt;provider&gt;/&lt;cluster&gt;/&lt;node&gt;.</summary>
    [GeneratedRegex("^kind://[^/]*/(?<cluster>[^/]+)/")]
    private static partial Regex KindProviderId();

    private static string? AfterPrefix(string? context, string prefix) =>
        context is not null && context.StartsWith(prefix, StringComparison.Ordinal) && context.Length > prefix.Length ? context[prefix.Length..] : null;
}
