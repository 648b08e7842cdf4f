using MinikubeDemo.Contract;

namespace MinikubeDemo.TestSupport;

/// <summary>
/// The chapter's two images and how the test tiers build them: from the repository's Dockerfiles with the
/// repository root as the context, as the README does, with the base images from the environment where set
/// (the stand-ins of docker/base-images/build.sh where no registry is reachable); otherwise the Dockerfiles'
/// defaults apply.
/// </summary>
public static class DemoImageBuild
{
    public static (string Dockerfile, string Name) Server { get; } = Of(DemoContract.Apps[0]);

    public static (string Dockerfile, string Name) Fetcher { get; } = Of(DemoContract.Apps[1]);

    public static IReadOnlyList<(string Dockerfile, string Name)> Both { get; } = [Server, Fetcher];

    /// <summary>The base-image build arguments that this environment sets.</summary>
    public static IReadOnlyDictionary<string, string> BaseImageArguments() =>
        DemoContract.BaseImageArguments
            .Select(name => (Name: name, Value: Environment.GetEnvironmentVariable(name)))
            .Where(argument => !string.IsNullOrEmpty(argument.Value))
            .ToDictionary(argument => argument.Name, argument => argument.Value!);

    private static (string Dockerfile, string Name) Of(DemoApp app) => (app.Dockerfile, app.Image);
}
