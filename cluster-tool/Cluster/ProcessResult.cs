namespace MinikubeDemo.ClusterTool.Cluster;

/// <summary>How a program ended, and what it wrote.</summary>
internal sealed record ProcessResult(int ExitCode, string StandardOutput, string StandardError)
{
    /// <summary>What a shell reports for a program that is not installed.</summary>
    public const int NotFound = 127;

    public bool Succeeded => ExitCode == 0;

    /// <summary>The last line the program wrote to standard error, else to standard output: usually its reason.</summary>
    public string LastLine => LastLineOf(StandardError) ?? LastLineOf(StandardOutput) ?? "";

    private static string? LastLineOf(string text) =>
        text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) is { Length: > 0 } lines ? lines[^1] : null;
}
