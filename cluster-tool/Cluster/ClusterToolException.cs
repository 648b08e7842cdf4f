namespace MinikubeDemo.ClusterTool.Cluster;

/// <summary>A failure whose message already says what went wrong and what to do about it.</summary>
internal sealed class ClusterToolException : Exception
{
    public ClusterToolException(string message)
        : base(message)
    {
    }

    public ClusterToolException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>The exit code the command ends with: 1 unless the failure needs telling apart.</summary>
    public int ExitCode { get; init; } = 1;
}
