using k8s.Models;

namespace MinikubeDemo.Cluster.Tests.StandIn;

/// <summary>
/// The EndpointSlice controller (pkg/controller/endpointslice, staging/src/k8s.io/endpointslice): one slice per
/// Service, named &lt;service&gt;-&lt;5 characters&gt; and labelled with the Service's name, listing every pod the
/// selector matches that has an address and has not finished, terminating ones included.
/// </summary>
internal static class EndpointSliceController
{
    public const string ServiceNameLabel = "kubernetes.io/service-name";

    public static void Sync(SimCluster cluster)
    {
        var services = cluster.Store.List<V1Service>("services").ToList();
        foreach (var slice in cluster.Store.List<V1EndpointSlice>("endpointslices")
                     .Where(slice => services.All(service => service.Metadata.Name != slice.Metadata.Labels[ServiceNameLabel] || service.Metadata.NamespaceProperty != slice.Metadata.NamespaceProperty)))
        {
            cluster.Store.Remove("endpointslices", slice.Metadata.NamespaceProperty, slice.Metadata.Name);
        }

        foreach (var service in services.Where(service => service.Spec.Selector is not null))
        {
            var ns = service.Metadata.NamespaceProperty;
            var slice = cluster.Store.List<V1EndpointSlice>("endpointslices", ns).FirstOrDefault(slice => slice.Metadata.Labels[ServiceNameLabel] == service.Metadata.Name)
                ?? new V1EndpointSlice
                {
                    ApiVersion = "discovery.k8s.io/v1",
                    Kind = "EndpointSlice",
                    AddressType = "IPv4",
                    Metadata = new V1ObjectMeta
                    {
                        Name = $"{service.Metadata.Name}-{cluster.RandomSuffix()}",
                        NamespaceProperty = ns,
                        Labels = new Dictionary<string, string>
                        {
                            [ServiceNameLabel] = service.Metadata.Name,
                            ["endpointslice.kubernetes.io/managed-by"] = "endpointslice-controller.k8s.io",
                        },
                    },
                };
            slice.Ports = [.. service.Spec.Ports.Select(port => new Discoveryv1EndpointPort { Name = port.Name, Port = int.TryParse(port.TargetPort?.Value, out var target) ? target : port.Port, Protocol = "TCP" })];
            slice.Endpoints = [.. cluster.Pods(ns, service.Spec.Selector)
                .Where(pod => pod.Status?.PodIP is not null && pod.Status.Phase is not ("Succeeded" or "Failed"))
                .Select(pod => Endpoint(pod))];
            cluster.Store.Put("endpointslices", slice);
        }
    }

    /// <summary>utils.go podToEndpoint: serving is the pod's Ready condition, terminating its deletion, ready both of those together.</summary>
    private static V1Endpoint Endpoint(V1Pod pod)
    {
        var serving = ReplicaSetController.IsReady(pod);
        var terminating = pod.Metadata.DeletionTimestamp is not null;
        return new V1Endpoint
        {
            Addresses = [pod.Status.PodIP],
            Conditions = new V1EndpointConditions { Ready = serving && !terminating, Serving = serving, Terminating = terminating },
            NodeName = pod.Spec.NodeName,
            TargetRef = new V1ObjectReference { Kind = "Pod", Name = pod.Metadata.Name, NamespaceProperty = pod.Metadata.NamespaceProperty, Uid = pod.Metadata.Uid },
        };
    }
}
