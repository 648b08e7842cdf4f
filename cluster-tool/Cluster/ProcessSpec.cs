namespace MinikubeDemo.ClusterTool.Cluster;

/// <summary>A program to run to its end: what the steps ask of docker, minikube, kind, k3d, k3s, nerdctl and kubectl.</summary>
internal sealed record ProcessSpec(string Program, IReadOnlyList<string> Arguments)
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
