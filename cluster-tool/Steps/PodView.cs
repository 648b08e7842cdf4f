namespace MinikubeDemo.ClusterTool.Steps;

/// <summary>One server pod as a person follows it: starting, ready, terminating.</summary>
internal sealed record PodView(string Name, string State, string? Node);
