namespace MinikubeDemo.ClusterTool.Steps;

/// <summary>One endpoint of a Service: "address:port", the pod and node behind it (where the slice names them), and whether it is ready.</summary>
internal sealed record EndpointEntry(string Endpoint, string? Pod, string? Node, bool Ready);
