using System.ComponentModel;
using Spectre.Console.Cli;

namespace MinikubeDemo.ClusterTool.Commands;

/// <summary>Options every command takes.</summary>
internal class ClusterSettings : CommandSettings
{
    [CommandOption("-n|--namespace <NAMESPACE>")]
    [Description("Namespace of the demo's objects. Default: the kubeconfig context's namespace, else default.")]
    public string? Namespace { get; init; }

    [CommandOption("--timeout <SECONDS>")]
    [Description("Seconds to wait for the cluster to get there before failing.")]
    [DefaultValue(180)]
    public int TimeoutSeconds { get; init; } = 180;

    public TimeSpan Timeout => TimeSpan.FromSeconds(TimeoutSeconds);

    public override ValidationResult Validate() =>
        TimeoutSeconds > 0 ? ValidationResult.Success() : ValidationResult.Error("--timeout must be a positive number of seconds");
}
