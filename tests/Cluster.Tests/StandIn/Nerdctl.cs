namespace MinikubeDemo.Cluster.Tests.StandIn;

/// <summary>`nerdctl --namespace k8s.io build -f F -t T .`: Rancher Desktop's containerd builds straight into the store its kubelet uses.</summary>
internal static class Nerdctl
{
    public static ProcessResult Run(SimCluster cluster, ToolCall call) =>
        call.Option("--namespace") == "k8s.io" && call.Arguments.Contains("build")
            ? Docker.Build(cluster, cluster.Nodes[0].Images, call)
            : ToolBox.Fails(1, "nerdctl: the stand-in models only `--namespace k8s.io build`");
}
