using MinikubeDemo.ClusterTool.Cluster;

namespace MinikubeDemo.ClusterTool.Steps;

/// <summary>
/// Runs a step's programs: shows each command and, as it comes, its output, and turns a failure into one message
/// that names the command and its reason.
/// </summary>
internal sealed class StepCommands(ToolHost host, IReadOnlyDictionary<string, string?>? environment = null)
{
    private readonly Lock _echo = new();

    /// <summary>Runs the program; unless <paramref name="required"/> is false, a failure ends the step with its reason.</summary>
    public async Task<ProcessResult> RunAsync(string program, IReadOnlyList<string> arguments, CancellationToken cancellationToken,
        bool echo = true, bool required = true)
    {
        var spec = new ProcessSpec(program, arguments)
        {
            WorkingDirectory = host.Repository,
            Environment = environment ?? new Dictionary<string, string?>(),
        };
        if (echo)
        {
            host.Console.MarkupLineInterpolated($"[blue]{spec}[/]");
            spec = spec with { OnOutputLine = Show };
        }

        var result = await host.Runner.RunAsync(spec, cancellationToken);
        if (required && !result.Succeeded)
        {
            throw new ClusterToolException(result.ExitCode == ProcessResult.NotFound
                ? $"`{spec}` cannot run: {program} is not installed, or not on PATH ({result.LastLine})."
                : $"`{spec}` failed with exit code {result.ExitCode}: {result.LastLine}");
        }

        return result;
    }

    private void Show(string line)
    {
        // Standard output and error arrive on two threads; one line at a time keeps them whole.
        lock (_echo)
        {
            host.Console.MarkupLineInterpolated($"[grey]  {line}[/]");
        }
    }
}
