using System.ComponentModel;
using MinikubeDemo.ClusterTool.Cluster;
using MinikubeDemo.ClusterTool.Steps;
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

        [CommandOption("--expect-endpoint-change")]
        [Description("Exit 1 unless the Service's endpoint list changed while watching (a scale, a deleted pod, a rollout).")]
        public bool ExpectEndpointChange { get; init; }

        public override ValidationResult Validate() =>
            DurationSeconds < 0 ? ValidationResult.Error("--duration must be 0 (until Ctrl+C) or more seconds")
            : Rate is < 1 or > 50 ? ValidationResult.Error("--rate must be from 1 to 50 requests a second")
            : base.Validate();
    }

    /// <summary>The exit code says whether a request failed: the drain promises none while pods come and go.</summary>
    protected override async Task RunAsync(ToolHost host, ClusterConnection connection, DemoCluster cluster, Settings settings, CancellationToken cancellationToken)
    {
        var session = new WatchSession(host, cluster, settings.Rate, settings.DurationSeconds);
        await session.RunAsync(cancellationToken);
        if (session.Requests.Failed > 0)
        {
            throw new ClusterToolException($"{session.Requests.Failed} of {session.Requests.Total} requests failed while watching ({session.Requests.Failures}); each failure is above.");
        }

        if (settings.ExpectEndpointChange && session.EndpointChanges == 0)
        {
            throw new ClusterToolException("The endpoint list did not change while watching (--expect-endpoint-change): no pod was added, deleted or replaced.");
        }
    }
}
