using System.Text;
using k8s;
using k8s.Models;

namespace MinikubeDemo.Cluster.Tests.StandIn;

/// <summary>
/// kubectl's `apply -f &lt;dir&gt;` and `delete -f &lt;dir&gt;` against the stand-in cluster, on the real manifests in the
/// command's working directory (staging/src/k8s.io/kubectl/pkg/cmd/apply/apply.go and delete/delete.go).
/// </summary>
internal static class Kubectl
{
    private const string LastApplied = "kubectl.kubernetes.io/last-applied-configuration";

    public static ProcessResult Run(SimCluster cluster, ToolCall call)
    {
        // kubectl reads the kubeconfig files KUBECONFIG lists; a context they do not have is an error.
        var context = call.Option("--context");
        var kubeconfig = call.Spec.Environment.GetValueOrDefault("KUBECONFIG");
        if (context != cluster.Context || kubeconfig is null || !kubeconfig.Split(Path.PathSeparator).Any(File.Exists))
        {
            return ToolBox.Fails(1, $"error: context \"{context}\" does not exist");
        }

        var ns = call.Option("--namespace", "-n") ?? "default";
        var folder = Path.Combine(call.Spec.WorkingDirectory!, call.Option("-f")!);
        // The files of a folder in lexical order, each with its objects (KubernetesYaml knows the built-in kinds).
        var objects = Directory.GetFiles(folder, "*.yaml").Order(StringComparer.Ordinal)
            .SelectMany(file => KubernetesYaml.LoadAllFromString(File.ReadAllText(file)).Cast<IKubernetesObject<V1ObjectMeta>>())
            .ToList();
        var output = new StringBuilder();
        foreach (var item in objects)
        {
            item.Metadata.NamespaceProperty = ns;
            var (resource, printed) = Names(item);
            if (call.Arguments[0] == "apply")
            {
                output.Append(printed).Append('/').Append(item.Metadata.Name).Append(' ').Append(Apply(cluster, resource, item)).Append('\n');
            }
            else if (cluster.Store.Get<IKubernetesObject<V1ObjectMeta>>(resource, ns, item.Metadata.Name) is not null)
            {
                // Background cascading: the object goes at once, the garbage collector and kubelets remove what it owned.
                cluster.Store.Remove(resource, ns, item.Metadata.Name);
                output.Append($"{printed} \"{item.Metadata.Name}\" deleted from {ns} namespace\n");
            }
        }

        return ToolBox.Prints(output.ToString());
    }

    /// <summary>
    /// created, configured, or unchanged when the manifest is the one applied last. A change replaces what the manifest
    /// sets and keeps what others set, the restart annotation on the pod template included (a three-way merge).
    /// </summary>
    private static string Apply(SimCluster cluster, string resource, IKubernetesObject<V1ObjectMeta> item)
    {
        var manifest = KubernetesJson.Serialize(item);
        var existing = cluster.Store.Get<IKubernetesObject<V1ObjectMeta>>(resource, item.Metadata.NamespaceProperty, item.Metadata.Name);
        if (SimCluster.Label(existing?.Metadata.Annotations, LastApplied) == manifest)
        {
            return "unchanged";
        }

        item.Metadata.Annotations = new Dictionary<string, string>(item.Metadata.Annotations ?? new Dictionary<string, string>()) { [LastApplied] = manifest };
        switch (item, existing)
        {
            case (V1Deployment deployment, V1Deployment before):
                deployment.Metadata.Uid = before.Metadata.Uid;
                deployment.Metadata.Generation = before.Metadata.Generation + 1;
                deployment.Status = before.Status;
                foreach (var (key, value) in before.Spec.Template.Metadata.Annotations ?? new Dictionary<string, string>())
                {
                    (deployment.Spec.Template.Metadata.Annotations ??= new Dictionary<string, string>()).TryAdd(key, value);
                }

                break;
            case (V1Deployment deployment, null):
                deployment.Metadata.Generation = 1;
                break;
            case (V1Service service, _):
                // The API server gives a Service its ClusterIP, and a LoadBalancer its node ports, once.
                var ip = (existing as V1Service)?.Spec.ClusterIP ?? cluster.NewClusterAddress();
                service.Spec.ClusterIP = ip;
                service.Spec.ClusterIPs = [ip];
                foreach (var port in service.Spec.Ports.Where(_ => service.Spec.Type == "LoadBalancer"))
                {
                    port.NodePort = (existing as V1Service)?.Spec.Ports.FirstOrDefault(old => old.Port == port.Port)?.NodePort ?? cluster.NewNodePort();
                }

                break;
        }

        cluster.Store.Put(resource, item);
        return existing is null ? "created" : "configured";
    }

    /// <summary>The store's resource and the name-printer's kind.group for each kind k8s/ holds.</summary>
    private static (string Resource, string Printed) Names(IKubernetesObject<V1ObjectMeta> item) => item switch
    {
        V1Deployment => ("deployments", "deployment.apps"),
        V1Service => ("services", "service"),
        V1Ingress => ("ingresses", "ingress.networking.k8s.io"),
        V1NetworkPolicy => ("networkpolicies", "networkpolicy.networking.k8s.io"),
        V1PodDisruptionBudget => ("poddisruptionbudgets", "poddisruptionbudget.policy"),
        _ => throw new InvalidOperationException($"k8s/ holds a {item.Kind}, which the kubectl stand-in does not know"),
    };
}
