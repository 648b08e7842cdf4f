using k8s.Models;
using MinikubeDemo.ClusterTool.Steps;
using MinikubeDemo.Contract;

namespace MinikubeDemo.Cluster.Tests.Steps;

/// <summary>What verify says of the address the fetcher connected to, in the shapes a Service can have.</summary>
public sealed class ServicePathTests
{
    private static ServicePath PathOf(string clusterIp, IList<string>? clusterIps) => new(
        DemoContract.Fetcher.UpstreamUrl,
        "default",
        new V1Service { Spec = new V1ServiceSpec { ClusterIP = clusterIp, ClusterIPs = clusterIps, Ports = [new V1ServicePort { Port = DemoContract.Port }] } },
        [new EndpointEntry("198.18.0.12:8000", "minikube-demo-server-deployment-a", "node-1", Ready: true)]);

    [Theory]
    [InlineData("198.18.100.10:8000")]
    [InlineData("[fd00:10:96::a]:8000")]
    public void Either_ClusterIP_of_a_dual_stack_Service_is_its_ClusterIP_as_the_socket_prints_it(string address)
    {
        var path = PathOf("198.18.100.10", ["198.18.100.10", "fd00:10:96::a"]);

        Assert.StartsWith("the Service's ClusterIP", path.Describe(address), StringComparison.Ordinal);
    }

    [Fact]
    public void A_single_stack_Service_without_ClusterIPs_is_told_by_its_ClusterIP()
    {
        var path = PathOf("198.18.100.10", null);

        Assert.StartsWith("the Service's ClusterIP", path.Describe("198.18.100.10:8000"), StringComparison.Ordinal);
        Assert.Equal("not an address of this Service", path.Describe("198.18.100.10:9000"));
    }

    [Fact]
    public void A_headless_Service_leads_to_the_pod_itself()
    {
        var path = PathOf("None", ["None"]);

        Assert.Equal("pod minikube-demo-server-deployment-a itself (no ClusterIP in between: a headless Service)", path.Describe("198.18.0.12:8000"));
        Assert.Equal("not an address of this Service", path.Describe("198.18.0.99:8000"));
    }
}
