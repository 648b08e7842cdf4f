using System.ComponentModel;
using MinikubeDemo.ClusterTool.Cluster;
using MinikubeDemo.ClusterTool.Steps;
using Spectre.Console.Cli;

namespace MinikubeDemo.ClusterTool.Commands;

/// <summary>`local`: the demo without a cluster (<see cref="LocalRun"/>).</summary>
internal sealed class LocalCommand : AsyncCommand<LocalCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("--server-port <PORT>")]
        [Description("The server's port (the course's 8000).")]
        [DefaultValue(DemoContract.Port)]
        public int ServerPort { get; init; } = DemoContract.Port;

        [CommandOption("--fetcher-port <PORT>")]
        [Description("The fetcher's port; it calls the server on --server-port.")]
        [DefaultValue(8001)]
        public int FetcherPort { get; init; } = 8001;

        [CommandOption("--aot")]
        [Description("Publish Native AOT binaries, as in the images (a minute or two each), instead of framework-dependent ones.")]
        public bool Aot { get; init; }

        public override ValidationResult Validate() =>
            ServerPort is < 1 or > 65535 || FetcherPort is < 1 or > 65535 || ServerPort == FetcherPort
                ? ValidationResult.Error("--server-port and --fetcher-port must be two different ports from 1 to 65535")
                : ValidationResult.Success();
    }

    public override Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var host = (ToolHost)context.Data!;
        return CommandOutcome.RunAsync(host.Console, () => new LocalRun(host).RunAsync(settings.ServerPort, settings.FetcherPort, settings.Aot, cancellationToken), cancellationToken);
    }
}
