namespace MinikubeDemo.Cluster.Tests;

/// <summary>Finds files of the repository the tests were built from.</summary>
internal static class RepositoryPaths
{
    public static string Root { get; } = FindRoot();

    public static string ManifestDirectory => Path.Combine(Root, "k8s");

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "MinikubeDemo.slnx")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"No MinikubeDemo.slnx above {AppContext.BaseDirectory}: run the tests from the repository.");
    }
}
