using System.Net;

namespace MinikubeDemo.ClusterTool.Cluster;

/// <summary>
/// Everything the tool takes from the world outside it: the programs it runs, the console it writes to, the clock,
/// the kubeconfig files and the repository it builds and deploys from. <see cref="FromEnvironment"/> gives the real
/// ones; the tests give stand-ins, and run the same commands a person runs.
/// </summary>
internal sealed record ToolHost(IProcessRunner Runner, IAnsiConsole Console)
{
    public TimeProvider Time { get; init; } = TimeProvider.System;

    /// <summary>How often a wait looks at the cluster again.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>The kubeconfig files as KUBECONFIG lists them (else, as kubectl does when it is unset or empty, ~/.kube/config), whether they exist or not.</summary>
    public IReadOnlyList<string> KubeconfigFiles { get; init; } = [];

    /// <summary>The folder of MinikubeDemo.slnx: the Dockerfiles and k8s/ are there.</summary>
    public string? RepositoryRoot { get; init; }

    /// <summary>The Dockerfiles' base-image build arguments the environment sets (SDK_IMAGE, RUNTIME_DEPS_IMAGE); unset ones keep the defaults.</summary>
    public IReadOnlyDictionary<string, string> BaseImages { get; init; } = new Dictionary<string, string>();

    /// <summary>Whether this process may talk to k3s's containerd itself; otherwise it goes through sudo.</summary>
    public bool RunsAsRoot { get; init; }

    /// <summary>This machine's host name, as a kubelet on it reports it.</summary>
    public string MachineName { get; init; } = Dns.GetHostName();

    public string Repository => RepositoryRoot
        ?? throw new ClusterToolException($"No MinikubeDemo.slnx above {Environment.CurrentDirectory}: run the tool from the repository.");

    public static ToolHost FromEnvironment()
    {
        var console = AnsiConsole.Console;
        // Logs (build.cake, CI) are not terminals: wrapping them at Spectre's fallback of 80 columns breaks the
        // kubectl-style lines, the chart labels and the services' log lines, so use COLUMNS when a shell sets it, else a wide line.
        if (System.Console.IsOutputRedirected)
        {
            console.Profile.Width = int.TryParse(Environment.GetEnvironmentVariable("COLUMNS"), out var columns) && columns > 0 ? columns : 512;
        }

        var kubeconfig = Environment.GetEnvironmentVariable("KUBECONFIG") is { Length: > 0 } list
            ? list.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            : [Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".kube", "config")];
        return new ToolHost(SystemProcessRunner.Instance, console)
        {
            KubeconfigFiles = kubeconfig,
            RepositoryRoot = Upwards(Environment.CurrentDirectory) ?? Upwards(AppContext.BaseDirectory),
            BaseImages = DemoContract.BaseImageArguments
                .Where(name => !string.IsNullOrEmpty(Environment.GetEnvironmentVariable(name)))
                .ToDictionary(name => name, name => Environment.GetEnvironmentVariable(name)!),
            RunsAsRoot = Environment.UserName == "root",
        };
    }

    private static string? Upwards(string? directory) =>
        directory is null || File.Exists(Path.Combine(directory, "MinikubeDemo.slnx")) ? directory : Upwards(Path.GetDirectoryName(directory));
}
