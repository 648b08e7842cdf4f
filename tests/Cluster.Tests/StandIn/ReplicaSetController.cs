using k8s;
using k8s.Models;

namespace MinikubeDemo.Cluster.Tests.StandIn;

/// <summary>
/// The ReplicaSet controller (pkg/controller/replicaset/replica_set.go) and the garbage collector: as many active pods
/// as the spec asks, the surplus chosen as controller_utils.go ranks them, and nothing left of a deleted owner.
/// </summary>
internal static class ReplicaSetController
{
    public static void Sync(SimCluster cluster)
    {
        foreach (var set in cluster.Store.List<V1ReplicaSet>("replicasets"))
        {
            var ns = set.Metadata.NamespaceProperty;
            var owner = set.Metadata.OwnerReferences?.FirstOrDefault();
            if (owner is not null && cluster.Store.List<V1Deployment>("deployments", ns).All(deployment => deployment.Metadata.Uid != owner.Uid))
            {
                // The garbage collector removes what a deleted Deployment owned; its pods then terminate.
                cluster.Store.Remove("replicasets", ns, set.Metadata.Name);
                continue;
            }

            var pods = cluster.Store.List<V1Pod>("pods", ns).Where(pod => pod.Metadata.OwnerReferences?.Any(o => o.Uid == set.Metadata.Uid) == true).ToList();
            // IsPodActive: not terminating, and not Succeeded or Failed.
            var active = pods.Where(pod => pod.Metadata.DeletionTimestamp is null && pod.Status?.Phase is not ("Succeeded" or "Failed")).ToList();
            var diff = (set.Spec.Replicas ?? 0) - active.Count;
            for (var i = 0; i < diff; i++)
            {
                cluster.Store.Put("pods", NewPod(cluster, set));
            }

            foreach (var pod in active.OrderBy(pod => Rank(cluster, pod)).Take(-diff))
            {
                cluster.Terminate(pod);
            }

            active = [.. cluster.Store.List<V1Pod>("pods", ns).Where(pod => pod.Metadata.OwnerReferences?.Any(o => o.Uid == set.Metadata.Uid) == true && pod.Metadata.DeletionTimestamp is null)];
            var ready = active.Count(IsReady);
            // minReadySeconds is 0: a ready pod is an available one.
            set.Status = new V1ReplicaSetStatus { Replicas = active.Count, ReadyReplicas = ready, AvailableReplicas = ready, ObservedGeneration = set.Metadata.Generation };
            cluster.Store.Put("replicasets", set);
        }

        foreach (var pod in cluster.Store.List<V1Pod>("pods").Where(pod => pod.Metadata.DeletionTimestamp is null))
        {
            var owner = pod.Metadata.OwnerReferences?.FirstOrDefault();
            if (owner is not null && cluster.Store.List<V1ReplicaSet>("replicasets", pod.Metadata.NamespaceProperty).All(set => set.Metadata.Uid != owner.Uid))
            {
                cluster.Terminate(pod);
            }
        }
    }

    public static bool IsReady(V1Pod pod) => pod.Status?.Conditions?.Any(condition => condition is { Type: "Ready", Status: "True" }) == true;

    /// <summary>
    /// ActivePodsWithRanks.Less, the parts that tell the demo's pods apart: unscheduled before scheduled, pending before
    /// running, not ready before ready, more restarts before fewer, newer before older.
    /// </summary>
    private static (bool, bool, bool, int, long) Rank(SimCluster cluster, V1Pod pod) =>
        (pod.Spec.NodeName is not null,
         pod.Status?.Phase == "Running",
         IsReady(pod),
         -(cluster.Runtimes.GetValueOrDefault(pod.Metadata.Uid)?.Restarts ?? 0),
         -(pod.Metadata.CreationTimestamp ?? DateTime.MinValue).Ticks);

    /// <summary>A pod from the template, named as generateName "&lt;replicaset&gt;-" makes it.</summary>
    private static V1Pod NewPod(SimCluster cluster, V1ReplicaSet set)
    {
        var template = KubernetesJson.Deserialize<V1PodTemplateSpec>(KubernetesJson.Serialize(set.Spec.Template));
        return new V1Pod
        {
            ApiVersion = "v1",
            Kind = "Pod",
            Metadata = new V1ObjectMeta
            {
                Name = $"{set.Metadata.Name}-{cluster.RandomSuffix()}",
                NamespaceProperty = set.Metadata.NamespaceProperty,
                Labels = template.Metadata.Labels,
                Annotations = template.Metadata.Annotations,
                OwnerReferences = [new V1OwnerReference { ApiVersion = "apps/v1", Kind = "ReplicaSet", Name = set.Metadata.Name, Uid = set.Metadata.Uid, Controller = true, BlockOwnerDeletion = true }],
                CreationTimestamp = DateTime.UtcNow,
            },
            Spec = template.Spec,
            Status = new V1PodStatus { Phase = "Pending" },
        };
    }
}
