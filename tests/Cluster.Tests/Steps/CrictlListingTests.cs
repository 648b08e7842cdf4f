using MinikubeDemo.ClusterTool.Cluster;
using MinikubeDemo.ClusterTool.Steps;

namespace MinikubeDemo.Cluster.Tests.Steps;

/// <summary>Each minikube node's images, as `crictl images -o json` lists them (cri-tools' cmd/crictl/image.go) on each runtime.</summary>
public sealed class CrictlListingTests
{
    [Theory]
    [InlineData("""{"images":[{"id":"sha256:aa","repoTags":["docker.io/library/minikube-demo-server:1.0"]},{"id":"sha256:bb","repoTags":["registry.k8s.io/pause:3.10"]}]}""")]
    [InlineData("""{"images":[{"id":"sha256:aa","repoTags":["minikube-demo-server:1.0"],"repoDigests":[]},{"id":"sha256:cc","repoTags":null}]}""")]
    [InlineData("""{"images":[{"id":"sha256:aa","repoTags":["localhost/minikube-demo-server:1.0"],"size":"12345678","pinned":false}]}""")]
    public void Reads_the_demo_images_whatever_prefix_the_runtime_gives_the_tag(string json)
    {
        Assert.Equal(new Dictionary<string, string> { ["minikube-demo-server:1.0"] = "sha256:aa" }, MinikubeImages.DemoImageIds(json, "minikube"));
    }

    [Fact]
    public void A_listing_that_is_not_crictls_names_the_node()
    {
        var failure = Assert.Throws<ClusterToolException>(() => MinikubeImages.DemoImageIds("ssh: connect to host 192.0.2.1 port 22: Connection refused", "minikube-m02"));

        Assert.Contains("minikube node minikube-m02", failure.Message, StringComparison.Ordinal);
    }
}
