using k8s.Models;
using MinikubeDemo.ClusterTool.Steps;

namespace MinikubeDemo.Cluster.Tests.Steps;

public sealed class EndpointCheckTests
{
    private const string Service = "minikube-demo-server-service";

    [Fact]
    public void Ready_endpoints_are_listed_once_in_numeric_address_order_with_the_slice_port()
    {
        var slices = new[]
        {
            Slice(8000, ("192.0.2.12", true), ("192.0.2.9", null)),
            // The same pod can appear in two slices while the controller moves endpoints between them.
            Slice(8000, ("192.0.2.12", true), ("192.0.2.30", false)),
        };

        Assert.Equal(["192.0.2.9:8000", "192.0.2.12:8000"], EndpointList.ReadyEndpoints(slices));
    }

    [Fact]
    public void Kubectl_table_matches_the_chapters_output()
    {
        var endpoints = EndpointList.ReadyEndpoints([Slice(8000, ("198.18.0.12", true), ("198.18.0.13", true))]);

        Assert.Equal(
            ["NAME                           ENDPOINTS", "minikube-demo-server-service   198.18.0.12:8000,198.18.0.13:8000"],
            EndpointList.KubectlTable(Service, endpoints));
    }

    [Fact]
    public void Kubectl_format_shows_three_endpoints_then_how_many_more_and_none_as_kubectl_does()
    {
        Assert.Equal("<none>", EndpointList.FormatLikeKubectl([]));
        Assert.Equal(
            "192.0.2.1:8000,192.0.2.2:8000,192.0.2.3:8000 + 2 more...",
            EndpointList.FormatLikeKubectl(["192.0.2.1:8000", "192.0.2.2:8000", "192.0.2.3:8000", "192.0.2.4:8000", "192.0.2.5:8000"]));
    }

    [Fact]
    public void IPv6_endpoints_are_bracketed()
    {
        Assert.Equal(["[2001:db8::1]:8000"], EndpointList.ReadyEndpoints([Slice(8000, ("2001:db8::1", true))]));
    }

    [Fact]
    public void Verdict_matches_when_each_ready_replica_has_one_ready_endpoint()
    {
        var verdict = EndpointList.Compare(Service, ["192.0.2.1:8000", "192.0.2.2:8000"], "minikube-demo-server-deployment", 2);

        Assert.True(verdict.Matches);
        Assert.Contains("2 ready endpoints", verdict.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Verdict_names_both_counts_and_what_to_check_when_they_differ()
    {
        var verdict = EndpointList.Compare(Service, ["192.0.2.1:8000"], "minikube-demo-server-deployment", 2);

        Assert.False(verdict.Matches);
        Assert.Equal(
            "minikube-demo-server-service lists 1 ready endpoint but minikube-demo-server-deployment has 2 ready replicas: " +
            "check that the Service's selector matches the pods' labels (kubectl get pods --show-labels) and that its targetPort is the container's port.",
            verdict.Message);
    }

    [Fact]
    public void A_slice_without_endpoints_lists_none()
    {
        Assert.Empty(EndpointList.ReadyEndpoints([new V1EndpointSlice { AddressType = "IPv4", Endpoints = null, Ports = null }]));
    }

    private static V1EndpointSlice Slice(int port, params (string Address, bool? Ready)[] endpoints) => new()
    {
        AddressType = "IPv4",
        Ports = [new Discoveryv1EndpointPort { Port = port, Protocol = "TCP" }],
        Endpoints = endpoints
            .Select(endpoint => new V1Endpoint { Addresses = [endpoint.Address], Conditions = new V1EndpointConditions { Ready = endpoint.Ready } })
            .ToList(),
    };
}
