namespace MinikubeDemo.ClusterTool;

/// <summary>The repository the demo is built and deployed from: Dockerfiles and k8s/ live there.</summary>
internal static class RepositoryLocation
{
    /// <summary>The first folder holding MinikubeDemo.slnx upwards of the working directory, else of the tool itself.</summary>
    public static string Find() =>
        Upwards(Environment.CurrentDirectory) ?? Upwards(AppContext.BaseDirectory)
        ?? throw new ClusterToolException($"No MinikubeDemo.slnx above {Environment.CurrentDirectory}: run the tool from the repository.");

    private static string? Upwards(string start)
    {
        for (var directory = new DirectoryInfo(start); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "MinikubeDemo.slnx")))
            {
                return directory.FullName;
            }
        }

        return null;
    }
}
