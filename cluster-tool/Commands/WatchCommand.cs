using System.ComponentModel;
using MinikubeDemo.ClusterTool.Cluster;
using MinikubeDemo.ClusterTool.Steps;
using Spectre.Console;
using Spectre.Console.Cli;

namespace MinikubeDemo.ClusterTool.Commands;

/// <summary>`watch`: Figure 1, live. The Service's endpoints, the pods and the Deployment as they change, and which pod answers the requests.</summary>
internal sealed class WatchCommand : ClusterCommand<WatchCommand.Settings>
{
    public sealed class Settings : ClusterSettings
    {
        [CommandOption("--duration <SECONDS>")]
        [Description("Stop after this many seconds; 0 runs until Ctrl+C.")]
        [DefaultValue(0)]
        public int DurationSeconds { get; init; }

        [CommandOption("--rate <PER_SECOND>")]
        [Description("Requests per second sent through the fetcher while watching.")]
        [DefaultValue(4)]
        public int Rate { get; init; } = 4;

        public override ValidationResult Validate() =>
            DurationSeconds < 0 ? ValidationResult.Error("--duration must be 0 (until Ctrl+C) or more seconds")
            : Rate is < 1 or > 50 ? ValidationResult.Error("--rate must be from 1 to 50 requests a second")
            : base.Validate();
    }

    protected override Task RunAsync(ToolHost host, ClusterConnection connection, DemoCluster cluster, Settings settings, CancellationToken cancellationToken) =>
        new WatchSession(host, cluster, settings.Rate, settings.DurationSeconds).RunAsync(cancellationToken);
}
