using k8s.Models;
using MinikubeDemo.ClusterTool.Cluster;

namespace MinikubeDemo.Cluster.Tests.Steps;

/// <summary>Which kind of cluster the current context is, from the context's name and the nodes the API lists.</summary>
public sealed class ClusterIdentityTests
{
    public static TheoryData<string, V1Node[], string, string?> Clusters => new()
    {
        // minikube labels its nodes with the profile, whatever the context is named.
        { "minikube", [MinikubeNode("minikube", primary: true)], "minikube", "minikube" },
        { "demo", [MinikubeNode("demo", primary: true), MinikubeNode("demo-m02", primary: false, profile: "demo")], "minikube", "demo" },
        { "kind-chapter", [Node("chapter-control-plane", "containerd://2.1.4", "v1.34.0", providerId: "kind://docker/chapter/chapter-control-plane")], "kind", "chapter" },
        { "admin@chapter", [Node("chapter-control-plane", "containerd://2.1.4", "v1.34.0", providerId: "kind://docker/chapter/chapter-control-plane")], "kind", "chapter" },
        { "k3d-demo", [Node("k3d-demo-server-0", "containerd://2.0.5-k3s1", "v1.33.4+k3s1", providerId: "k3s://k3d-demo-server-0")], "k3d", "demo" },
        // A k3d context renamed or merged into another kubeconfig: its nodes still carry k3d's names.
        { "lab", [Node("k3d-demo-server-0", "containerd://2.0.5-k3s1", "v1.33.4+k3s1"), Node("k3d-demo-agent-0", "containerd://2.0.5-k3s1", "v1.33.4+k3s1")], "k3d", "demo" },
        // Rancher Desktop runs k3s too: it is told by its context, not taken for a bare k3s.
        { "rancher-desktop", [Node("lima-rancher-desktop", "containerd://2.0.5", "v1.33.4+k3s1", providerId: "k3s://lima-rancher-desktop")], "rancher-desktop", null },
        { "default", [Node("edge-1", "containerd://2.0.5-k3s1", "v1.34.1+k3s1")], "k3s", null },
        { "docker-desktop", [Node("docker-desktop", "docker://28.4.0", "v1.34.1")], "docker-desktop", null },
        { "gke_project_zone_demo", [Node("gke-demo-pool-1", "containerd://1.7.27", "v1.33.5-gke.100")], "docker", null },
    };

    [Theory]
    [MemberData(nameof(Clusters))]
    public void Tells_the_kind_and_name_from_the_context_and_the_nodes(string context, V1Node[] nodes, string kind, string? name)
    {
        var identity = ClusterIdentity.Detect(context, nodes);

        Assert.Equal(kind, ClusterIdentity.Describe(identity.Kind));
        Assert.Equal(name, identity.Name);
        Assert.Equal(nodes.Select(node => node.Metadata.Name), identity.Nodes.Select(node => node.Name));
    }

    [Fact]
    public void Reads_each_nodes_runtime_and_minikubes_primary()
    {
        var identity = ClusterIdentity.Detect("minikube", [MinikubeNode("minikube", primary: true, runtime: "containerd://2.1.4"), MinikubeNode("minikube-m02", primary: false, runtime: "containerd://2.1.4")]);

        Assert.Equal([new ClusterNode("minikube", "containerd", true), new ClusterNode("minikube-m02", "containerd", false)], identity.Nodes);
        Assert.Equal("containerd", identity.Runtime);
    }

    [Fact]
    public void The_cluster_option_overrides_the_kind_but_not_the_names_read_from_the_cluster()
    {
        var identity = ClusterIdentity.Detect("k3d-demo", [Node("k3d-demo-server-0", "containerd://2.0.5-k3s1", "v1.33.4+k3s1")], ClusterKind.K3s);

        Assert.Equal(ClusterKind.K3s, identity.Kind);
        Assert.Equal(ClusterKind.RancherDesktop, ClusterIdentity.Parse("rancher-desktop"));
        Assert.Null(ClusterIdentity.Parse("minikub"));
    }

    private static V1Node MinikubeNode(string name, bool primary, string runtime = "docker://28.4.0", string? profile = null) =>
        Node(name, runtime, "v1.34.0", new()
        {
            [ClusterIdentity.MinikubeProfileLabel] = profile ?? name,
            [ClusterIdentity.MinikubePrimaryLabel] = primary ? "true" : "false",
        });

    private static V1Node Node(string name, string runtime, string kubelet, Dictionary<string, string>? labels = null, string? providerId = null) => new()
    {
        Metadata = new V1ObjectMeta { Name = name, Labels = labels ?? [] },
        Spec = new V1NodeSpec { ProviderID = providerId },
        Status = new V1NodeStatus { NodeInfo = new V1NodeSystemInfo { ContainerRuntimeVersion = runtime, KubeletVersion = kubelet } },
    };
}
