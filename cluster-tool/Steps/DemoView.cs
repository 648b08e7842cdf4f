namespace MinikubeDemo.ClusterTool.Steps;

/// <summary>The chapter's Figure 1 at one moment: the server Deployment, its Service's endpoints, its pods.</summary>
internal sealed record DemoView(RolloutState? Server, IReadOnlyList<EndpointEntry> Endpoints, IReadOnlyList<PodView> Pods)
{
    public static DemoView Empty { get; } = new(null, [], []);

    /// <summary>Whether the EndpointSlices were listed yet: before that, no endpoints is not news.</summary>
    public bool EndpointsListed { get; init; }

    /// <summary>The ready endpoints as `kubectl get endpoints` lists them.</summary>
    public string EndpointsLikeKubectl => EndpointList.FormatLikeKubectl(Endpoints.Where(endpoint => endpoint.Ready).Select(endpoint => endpoint.Endpoint).ToList());
}
