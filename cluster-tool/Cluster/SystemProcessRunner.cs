using System.ComponentModel;
using System.Text;
using CliWrap;

namespace MinikubeDemo.ClusterTool.Cluster;

/// <summary>Runs programs for real, with CliWrap; a program that is not installed ends with <see cref="ProcessResult.NotFound"/>.</summary>
internal sealed class SystemProcessRunner : IProcessRunner
{
    public static SystemProcessRunner Instance { get; } = new();

    public async Task<ProcessResult> RunAsync(ProcessSpec spec, CancellationToken cancellationToken)
    {
        var (output, error) = (new StringBuilder(), new StringBuilder());
        PipeTarget Into(StringBuilder text) => spec.OnOutputLine is { } onLine
            ? PipeTarget.Merge(PipeTarget.ToStringBuilder(text), PipeTarget.ToDelegate(onLine))
            : PipeTarget.ToStringBuilder(text);
        try
        {
            // Nothing is ever typed into these programs: an empty input makes one that asks fail instead of hang.
            var result = await Cli.Wrap(spec.Program)
                .WithArguments(spec.Arguments)
                .WithWorkingDirectory(spec.WorkingDirectory ?? Environment.CurrentDirectory)
                .WithEnvironmentVariables(spec.Environment)
                .WithStandardOutputPipe(Into(output))
                .WithStandardErrorPipe(Into(error))
                .WithValidation(CommandResultValidation.None)
                .ExecuteAsync(cancellationToken);
            return new ProcessResult(result.ExitCode, output.ToString(), error.ToString());
        }
        catch (Win32Exception e)
        {
            return new ProcessResult(ProcessResult.NotFound, "", $"{spec.Program}: {(e.InnerException ?? e).Message}");
        }
    }
}
