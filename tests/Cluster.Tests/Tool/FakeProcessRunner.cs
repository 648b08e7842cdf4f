using MinikubeDemo.ClusterTool.Processes;

namespace MinikubeDemo.Cluster.Tests.Tool;

/// <summary>Stands in for docker, minikube, kind, k3d, kubectl and k3s: records each command and answers as told.</summary>
internal sealed class FakeProcessRunner : IProcessRunner
{
    private readonly Lock gate = new();
    private readonly List<ProcessSpec> runs = [];

    /// <summary>The answer to a command; null means it succeeds and prints nothing.</summary>
    public Func<ProcessSpec, ProcessResult?> Respond { get; set; } = _ => null;

    public IReadOnlyList<ProcessSpec> Runs
    {
        get
        {
            lock (gate)
            {
                return runs.ToList();
            }
        }
    }

    /// <summary>Each command as a person would type it.</summary>
    public IReadOnlyList<string> Commands => Runs.Select(run => run.ToString()).ToList();

    public static ProcessResult Fails(int exitCode, string error) => new(exitCode, "", error + "\n");

    public static ProcessResult Prints(string output) => new(0, output, "");

    public Task<ProcessResult> RunAsync(ProcessSpec spec, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ProcessResult result;
        lock (gate)
        {
            runs.Add(spec);
            result = Respond(spec) ?? new ProcessResult(0, "", "");
        }

        foreach (var line in (result.StandardOutput + result.StandardError).Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            spec.OnOutputLine?.Invoke(line);
        }

        return Task.FromResult(result);
    }
}
