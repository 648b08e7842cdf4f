using k8s;
using k8s.Models;
using MinikubeDemo.Cluster.Tests.Manifests;

namespace MinikubeDemo.Cluster.Tests.K3s;

/// <summary>Creates every object of k8s/, unchanged, the way `kubectl apply -f k8s/` does on an empty namespace.</summary>
internal static class ManifestApplier
{
    public static async Task ApplyAsync(IKubernetes client, string @namespace, ManifestSet manifests, CancellationToken cancellationToken)
    {
        foreach (var (file, manifest) in manifests.Objects)
        {
            Task created = manifest switch
            {
                V1Deployment deployment => client.AppsV1.CreateNamespacedDeploymentAsync(deployment, @namespace, cancellationToken: cancellationToken),
                V1Service service => client.CoreV1.CreateNamespacedServiceAsync(service, @namespace, cancellationToken: cancellationToken),
                V1Ingress ingress => client.NetworkingV1.CreateNamespacedIngressAsync(ingress, @namespace, cancellationToken: cancellationToken),
                V1NetworkPolicy policy => client.NetworkingV1.CreateNamespacedNetworkPolicyAsync(policy, @namespace, cancellationToken: cancellationToken),
                _ => throw new InvalidOperationException($"{file}: no create call for {manifest.GetType().Name}; add one here"),
            };
            await created;
        }
    }
}
