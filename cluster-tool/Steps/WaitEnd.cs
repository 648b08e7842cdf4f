namespace MinikubeDemo.ClusterTool.Steps;

/// <summary>How a wait ended.</summary>
internal enum WaitEnd
{
    /// <summary>What was waited for happened.</summary>
    Done,

    /// <summary>Something happened that waiting longer will not mend.</summary>
    Failed,

    /// <summary>The time ran out first.</summary>
    TimedOut,
}
