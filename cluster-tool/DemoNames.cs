namespace MinikubeDemo.ClusterTool;

/// <summary>The chapter's object names and the reply it shows: the same contract k8s/ follows.</summary>
internal static class DemoNames
{
    public const string ServerDeployment = "minikube-demo-server-deployment";
    public const string ServerService = "minikube-demo-server-service";
    public const string FetcherDeployment = "minikube-demo-server-fetcher-deployment";
    public const string FetcherService = "minikube-demo-server-fetcher-service";

    public const string ExpectedFetcherBody = """{"message":"Fetched: Hello world!"}""";

    /// <summary>The fetcher copies the answering server pod's name (its POD_NAME) into this header.</summary>
    public const string UpstreamInstanceHeader = "X-Upstream-Instance";

    public static readonly IReadOnlyList<string> Deployments = [ServerDeployment, FetcherDeployment];
}
