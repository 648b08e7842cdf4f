using System.ComponentModel;
using System.Diagnostics;
using System.Text;

namespace MinikubeDemo.ClusterTool.Processes;

/// <summary>A program to run to its end: what the cluster steps ask of docker, minikube, kind, k3d, kubectl and k3s.</summary>
public sealed record ProcessSpec(string Program, IReadOnlyList<string> Arguments)
{
    /// <summary>Variables to set (or, with a null value, to remove) for the program.</summary>
    public IReadOnlyDictionary<string, string?> Environment { get; init; } = new Dictionary<string, string?>();

    public string? WorkingDirectory { get; init; }

    /// <summary>Each line the program writes, as it comes (a build's progress); null keeps the program quiet.</summary>
    public Action<string>? OnOutputLine { get; init; }

    /// <summary>The command as a person would type it, for messages.</summary>
    public override string ToString() =>
        string.Join(' ', new[] { Program }.Concat(Arguments).Select(word => word.Length > 0 && !word.Any(char.IsWhiteSpace) ? word : $"'{word}'"));
}

/// <summary>How a program ended, and what it wrote.</summary>
public sealed record ProcessResult(int ExitCode, string StandardOutput, string StandardError)
{
    /// <summary>What a shell reports for a program that is not installed.</summary>
    public const int NotFound = 127;

    public bool Succeeded => ExitCode == 0;

    /// <summary>The last line the program wrote to standard error, else to standard output: usually its reason.</summary>
    public string LastLine => LastLineOf(StandardError) ?? LastLineOf(StandardOutput) ?? "";

    private static string? LastLineOf(string text) =>
        text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) is { Length: > 0 } lines ? lines[^1] : null;
}

/// <summary>
/// Runs external programs. The cluster steps only ever call programs through this, so that tests can assert the
/// exact commands each kind of cluster gets, and what happens when one fails, with a fake.
/// </summary>
public interface IProcessRunner
{
    Task<ProcessResult> RunAsync(ProcessSpec spec, CancellationToken cancellationToken);
}

/// <summary>Runs programs for real; a program that is not installed ends with <see cref="ProcessResult.NotFound"/>.</summary>
public sealed class SystemProcessRunner : IProcessRunner
{
    public static SystemProcessRunner Instance { get; } = new();

    public async Task<ProcessResult> RunAsync(ProcessSpec spec, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var start = new ProcessStartInfo(spec.Program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            WorkingDirectory = spec.WorkingDirectory ?? "",
        };
        foreach (var argument in spec.Arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in spec.Environment)
        {
            if (value is null)
            {
                start.Environment.Remove(name);
            }
            else
            {
                start.Environment[name] = value;
            }
        }

        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException($"{spec.Program} did not start");
        }
        catch (Win32Exception e)
        {
            return new ProcessResult(ProcessResult.NotFound, "", $"{spec.Program}: {e.Message}");
        }

        using (process)
        {
            // Nothing is ever typed into these programs; a closed input makes one that asks fail instead of hang.
            process.StandardInput.Close();
            var output = ReadLinesAsync(process.StandardOutput, spec.OnOutputLine);
            var error = ReadLinesAsync(process.StandardError, spec.OnOutputLine);
            try
            {
                await process.WaitForExitAsync(cancellationToken);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                throw;
            }

            return new ProcessResult(process.ExitCode, await output, await error);
        }
    }

    private static async Task<string> ReadLinesAsync(StreamReader reader, Action<string>? onLine)
    {
        var text = new StringBuilder();
        while (await reader.ReadLineAsync() is { } line)
        {
            text.Append(line).Append('\n');
            onLine?.Invoke(line);
        }

        return text.ToString();
    }
}
