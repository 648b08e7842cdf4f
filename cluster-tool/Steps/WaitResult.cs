namespace MinikubeDemo.ClusterTool.Steps;

/// <summary>The last state a wait saw, and how it ended.</summary>
internal sealed record WaitResult<T>(T Last, WaitEnd End, TimeSpan Elapsed);
