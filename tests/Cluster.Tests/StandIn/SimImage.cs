namespace MinikubeDemo.Cluster.Tests.StandIn;

/// <summary>What one build of an app does when its container runs: the greeting it serves, or a crash at start; and which change of the code it was built from.</summary>
internal sealed record AppBuild(string Greeting, bool Crashes, int Change);

/// <summary>One built image: its ID (a new one for every build, as the Images step's label makes it), which app, and what it does.</summary>
internal sealed record SimImage(string Id, string App, AppBuild Build);
