using System.Globalization;
using System.Text;
using k8s;
using k8s.Models;

namespace MinikubeDemo.Cluster.Tests.StandIn;

/// <summary>
/// The Deployment controller (pkg/controller/deployment/): a ReplicaSet per pod template, named after its hash and
/// numbered with a revision; a rolling update that surges and keeps old pods until new ones are available; scale;
/// and the status `kubectl rollout status` reads.
/// </summary>
internal static class DeploymentController
{
    public const string RevisionAnnotation = "deployment.kubernetes.io/revision";
    public const string HashLabel = "pod-template-hash";

    public static void Sync(SimCluster cluster)
    {
        foreach (var deployment in cluster.Store.List<V1Deployment>("deployments").Where(deployment => deployment.Spec.Template.Spec is not null))
        {
            SyncOne(cluster, deployment);
        }
    }

    private static void SyncOne(SimCluster cluster, V1Deployment deployment)
    {
        var ns = deployment.Metadata.NamespaceProperty;
        var sets = cluster.Store.List<V1ReplicaSet>("replicasets", ns)
            .Where(set => set.Metadata.OwnerReferences?.Any(owner => owner.Uid == deployment.Metadata.Uid) == true)
            .OrderBy(set => set.Metadata.CreationTimestamp).ToList();
        var desired = deployment.Spec.Replicas ?? 1;
        var (surge, unavailable) = ResolveFenceposts(desired);
        var hash = TemplateHash(deployment.Spec.Template);
        // FindNewReplicaSet: the oldest ReplicaSet whose template equals the Deployment's, the hash label aside (deployment_util.go).
        var newSet = sets.FirstOrDefault(set => SimCluster.Label(set.Metadata.Labels, HashLabel) == hash);
        var oldSets = sets.Where(set => set != newSet).ToList();
        if (newSet is null)
        {
            // sync.go getNewReplicaSet: created already sized (NewRSNewReplicas), with the next revision.
            var revision = oldSets.Select(Revision).DefaultIfEmpty(0).Max() + 1;
            newSet = NewReplicaSet(deployment, hash, revision, oldSets.Count == 0 ? desired : NewReplicas(desired, surge, sets, 0));
            cluster.Store.Put("replicasets", newSet);
        }
        else if (oldSets.All(set => set.Spec.Replicas == 0))
        {
            // Nothing to roll: the new ReplicaSet is simply the Deployment's size (sync.go scale).
            Scale(cluster, newSet, desired);
        }
        else if (NewReplicas(desired, surge, sets, newSet.Spec.Replicas ?? 0) is var scaledUp && scaledUp != newSet.Spec.Replicas)
        {
            // rolling.go rolloutRolling: one sync either scales the new ReplicaSet up, or, when it cannot, the old ones down.
            Scale(cluster, newSet, scaledUp);
        }
        else
        {
            ScaleDownOld(cluster, desired, unavailable, sets, newSet, oldSets);
        }

        deployment.Metadata.Annotations ??= new Dictionary<string, string>();
        deployment.Metadata.Annotations[RevisionAnnotation] = newSet.Metadata.Annotations[RevisionAnnotation];
        // sync.go calculateStatus: the ReplicaSets' own counts, which leave terminating pods out.
        deployment.Status = new V1DeploymentStatus
        {
            ObservedGeneration = deployment.Metadata.Generation,
            Replicas = sets.Append(newSet).Distinct().Sum(set => set.Status?.Replicas ?? 0),
            UpdatedReplicas = newSet.Status?.Replicas ?? 0,
            ReadyReplicas = sets.Append(newSet).Distinct().Sum(set => set.Status?.ReadyReplicas ?? 0),
            AvailableReplicas = sets.Append(newSet).Distinct().Sum(set => set.Status?.AvailableReplicas ?? 0),
        };
        cluster.Store.Put("deployments", deployment);
    }

    /// <summary>
    /// deployment_util.go ResolveFenceposts with the default 25 %/25 %: surge rounds up, unavailable down, and both 0
    /// makes unavailable 1. For 1 to 3 replicas: surge 1, unavailable 0.
    /// </summary>
    public static (int Surge, int Unavailable) ResolveFenceposts(int desired)
    {
        var surge = (int)Math.Ceiling(desired * 0.25);
        var unavailable = (int)Math.Floor(desired * 0.25);
        return surge == 0 && unavailable == 0 ? (0, 1) : (surge, Math.Min(unavailable, desired));
    }

    /// <summary>
    /// rolling.go reconcileNewReplicaSet and deployment_util.go NewRSNewReplicas: never more than the Deployment's size,
    /// and up to that size plus the surge in all, counting the ReplicaSets' sizes.
    /// </summary>
    private static int NewReplicas(int desired, int surge, List<V1ReplicaSet> sets, int current)
    {
        var all = sets.Sum(set => set.Spec.Replicas ?? 0);
        return current >= desired ? desired : all >= desired + surge ? current : current + Math.Min(desired + surge - all, desired - current);
    }

    /// <summary>
    /// rolling.go reconcileOldReplicaSets: unhealthy old pods first (cleanupUnhealthyReplicas), then healthy ones, never
    /// below the Deployment's size minus maxUnavailable, counting the new ReplicaSet's unavailable pods against it.
    /// </summary>
    private static void ScaleDownOld(SimCluster cluster, int desired, int unavailable, List<V1ReplicaSet> sets, V1ReplicaSet newSet, List<V1ReplicaSet> oldSets)
    {
        var minAvailable = desired - unavailable;
        var newUnavailable = (newSet.Spec.Replicas ?? 0) - (newSet.Status?.AvailableReplicas ?? 0);
        var room = sets.Sum(set => set.Spec.Replicas ?? 0) - minAvailable - newUnavailable;
        foreach (var set in oldSets.Where(set => set.Spec.Replicas > 0))
        {
            var unhealthy = (set.Spec.Replicas ?? 0) - (set.Status?.AvailableReplicas ?? 0);
            var cut = Math.Min(room, unhealthy);
            if (cut > 0)
            {
                Scale(cluster, set, (set.Spec.Replicas ?? 0) - cut);
                room -= cut;
            }
        }

        var available = sets.Sum(set => set.Status?.AvailableReplicas ?? 0) - minAvailable;
        foreach (var set in oldSets.Where(set => set.Spec.Replicas > 0))
        {
            var cut = Math.Min(Math.Min(room, available), set.Spec.Replicas ?? 0);
            if (cut > 0)
            {
                Scale(cluster, set, (set.Spec.Replicas ?? 0) - cut);
                room -= cut;
                available -= cut;
            }
        }
    }

    private static void Scale(SimCluster cluster, V1ReplicaSet set, int replicas)
    {
        if (set.Spec.Replicas != replicas)
        {
            set.Spec.Replicas = replicas;
            cluster.Store.Put("replicasets", set);
        }
    }

    private static int Revision(V1ReplicaSet set) =>
        int.TryParse(SimCluster.Label(set.Metadata.Annotations, RevisionAnnotation), NumberStyles.None, CultureInfo.InvariantCulture, out var revision) ? revision : 0;

    private static V1ReplicaSet NewReplicaSet(V1Deployment deployment, string hash, int revision, int replicas)
    {
        var template = KubernetesJson.Deserialize<V1PodTemplateSpec>(KubernetesJson.Serialize(deployment.Spec.Template));
        template.Metadata.Labels = new Dictionary<string, string>(template.Metadata.Labels ?? new Dictionary<string, string>()) { [HashLabel] = hash };
        return new V1ReplicaSet
        {
            ApiVersion = "apps/v1",
            Kind = "ReplicaSet",
            Metadata = new V1ObjectMeta
            {
                Name = $"{deployment.Metadata.Name}-{hash}",
                NamespaceProperty = deployment.Metadata.NamespaceProperty,
                Labels = template.Metadata.Labels,
                Annotations = new Dictionary<string, string> { [RevisionAnnotation] = revision.ToString(CultureInfo.InvariantCulture) },
                OwnerReferences = [new V1OwnerReference { ApiVersion = "apps/v1", Kind = "Deployment", Name = deployment.Metadata.Name, Uid = deployment.Metadata.Uid, Controller = true, BlockOwnerDeletion = true }],
                CreationTimestamp = DateTime.UtcNow,
            },
            Spec = new V1ReplicaSetSpec
            {
                Replicas = replicas,
                Selector = new V1LabelSelector { MatchLabels = new Dictionary<string, string>(deployment.Spec.Selector.MatchLabels) { [HashLabel] = hash } },
                Template = template,
            },
            Status = new V1ReplicaSetStatus { Replicas = 0 },
        };
    }

    /// <summary>
    /// controller_utils.go ComputeHash: FNV-1a over the template, written in the alphabet of SafeEncodeString. The
    /// Go struct dump it hashes cannot be reproduced here; the JSON is as stable, which is what matters.
    /// </summary>
    public static string TemplateHash(V1PodTemplateSpec template)
    {
        var hash = 2166136261u;
        foreach (var b in Encoding.UTF8.GetBytes(KubernetesJson.Serialize(template)))
        {
            hash = (hash ^ b) * 16777619u;
        }

        const string Alphabet = "bcdfghjklmnpqrstvwxz2456789";
        return string.Concat(hash.ToString(CultureInfo.InvariantCulture).Select(digit => Alphabet[digit % Alphabet.Length]));
    }
}
