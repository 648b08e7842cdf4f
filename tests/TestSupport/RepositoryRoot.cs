namespace MinikubeDemo.TestSupport;

/// <summary>The repository the tests were built from, found upwards from the test's output folder.</summary>
public static class RepositoryRoot
{
    public static string Path { get; } = Find();

    private static string Find()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(directory.FullName, "MinikubeDemo.slnx")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"No MinikubeDemo.slnx above {AppContext.BaseDirectory}: run the tests from the repository.");
    }
}
