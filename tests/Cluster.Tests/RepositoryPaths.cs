using MinikubeDemo.TestSupport;

namespace MinikubeDemo.Cluster.Tests;

/// <summary>Files of the repository the tests were built from.</summary>
internal static class RepositoryPaths
{
    public static string Root => RepositoryRoot.Path;

    public static string ManifestDirectory => Path.Combine(Root, "k8s");
}
