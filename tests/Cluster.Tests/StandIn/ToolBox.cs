using MinikubeDemo.ClusterTool.Cluster;

namespace MinikubeDemo.Cluster.Tests.StandIn;

/// <summary>The programs installed on the student's machine, each a stand-in that acts on the same <see cref="SimCluster"/>.</summary>
internal sealed class ToolBox(SimCluster cluster) : IProcessRunner
{
    private readonly List<ProcessSpec> _runs = [];
    private readonly Dictionary<string, Func<ToolCall, ProcessResult>> _tools = new(StringComparer.Ordinal);

    public SimCluster Cluster { get; } = cluster;

    /// <summary>Whether the tool runs as root; `sudo` makes a command root either way.</summary>
    public bool CallerIsRoot { get; init; }

    /// <summary>Where programs write their own files ($TMPDIR): minikube's logs.</summary>
    public required string TempDirectory { get; init; }

    public IReadOnlyList<ProcessSpec> Runs
    {
        get
        {
            lock (_runs)
            {
                return [.. _runs];
            }
        }
    }

    /// <summary>Each command as a person would type it.</summary>
    public IReadOnlyList<string> Commands => [.. Runs.Select(run => run.ToString())];

    public ToolBox Install(string program, Func<ToolCall, ProcessResult> tool)
    {
        _tools[program] = tool;
        return this;
    }

    /// <summary>A program the student never installed: the shell cannot find it.</summary>
    public void Uninstall(string program) => _tools.Remove(program);

    public Task<ProcessResult> RunAsync(ProcessSpec spec, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(spec);
        lock (_runs)
        {
            _runs.Add(spec);
        }

        var (program, arguments, root) = spec.Program == "sudo" ? (spec.Arguments[0], spec.Arguments.Skip(1).ToList(), true) : (spec.Program, spec.Arguments.ToList(), CallerIsRoot);
        ProcessResult result;
        if (!_tools.TryGetValue(program, out var tool))
        {
            // What a shell says for a program that is not installed.
            result = new ProcessResult(ProcessResult.NotFound, "", $"{program}: command not found\n");
        }
        else
        {
            lock (Cluster.Gate)
            {
                result = tool(new ToolCall(arguments, spec, root));
            }
        }

        foreach (var line in (result.StandardOutput + result.StandardError).Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            spec.OnOutputLine?.Invoke(line);
        }

        return Task.FromResult(result);
    }

    public static ProcessResult Prints(string output) => new(0, output, "");

    public static ProcessResult Fails(int exitCode, string error) => new(exitCode, "", error + "\n");
}

/// <summary>One run of a stand-in: its arguments (after sudo), the whole command, and whether it runs as root.</summary>
internal sealed record ToolCall(IReadOnlyList<string> Arguments, ProcessSpec Spec, bool Root)
{
    /// <summary>The value after <paramref name="flag"/> (as "-f x" or "-f=x"), if given.</summary>
    public string? Option(params string[] flag)
    {
        for (var i = 0; i < Arguments.Count; i++)
        {
            foreach (var name in flag)
            {
                if (Arguments[i] == name && i + 1 < Arguments.Count)
                {
                    return Arguments[i + 1];
                }

                if (Arguments[i].StartsWith(name + "=", StringComparison.Ordinal))
                {
                    return Arguments[i][(name.Length + 1)..];
                }
            }
        }

        return null;
    }

    public bool Has(string flag) => Arguments.Contains(flag);

    /// <summary>The arguments that are not flags nor their values, as positional arguments.</summary>
    public IReadOnlyList<string> Words(params string[] flagsWithValues)
    {
        var words = new List<string>();
        for (var i = 0; i < Arguments.Count; i++)
        {
            if (flagsWithValues.Contains(Arguments[i]))
            {
                i++;
            }
            else if (!Arguments[i].StartsWith('-'))
            {
                words.Add(Arguments[i]);
            }
        }

        return words;
    }
}
