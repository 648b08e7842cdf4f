using MinikubeDemo.Contract;

namespace MinikubeDemo.Cluster.Tests.StandIn;

/// <summary>
/// The student's checkout, as a build sees it: the greeting the server answers, whether the server crashes at start
/// (a broken change that still compiles), and whether the code compiles at all.
/// </summary>
internal sealed class Workspace
{
    public string Greeting { get; set; } = DemoContract.Server.Greeting;

    public bool ServerCrashes { get; set; }

    public bool Compiles { get; set; } = true;

    /// <summary>How many times the student changed the code: each build says which change it was built from.</summary>
    public int Change { get; set; } = 1;

    /// <summary>What the crashing server writes before it exits: its last log lines.</summary>
    public const string CrashLog = "Unhandled exception. System.InvalidOperationException: the greeting is not configured\n   at Program.<Main>$(String[] args)\n";

    /// <summary>One build from a Dockerfile: a new image ID every time, as the build's label makes it.</summary>
    public SimImage Build(string dockerfile) =>
        new($"sha256:{Guid.NewGuid():N}", dockerfile.EndsWith(".fetcher", StringComparison.Ordinal) ? DemoContract.Fetcher.Name : DemoContract.Server.Name,
            new AppBuild(Greeting, ServerCrashes && dockerfile.EndsWith(".server", StringComparison.Ordinal), Change));
}
