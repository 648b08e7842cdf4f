namespace MinikubeDemo.TestSupport;

/// <summary>
/// The chapter's two images and how the test tiers build them: from the repository's Dockerfiles with the
/// repository root as the context, as the README does, with the base images from <c>SDK_IMAGE</c> and
/// <c>RUNTIME_DEPS_IMAGE</c> where set (the stand-ins of docker/base-images/build.sh where no registry is
/// reachable); otherwise the Dockerfiles' defaults apply.
/// </summary>
public static class DemoImageBuild
{
    public static (string Dockerfile, string Name) Server { get; } = ("Dockerfile.server", "minikube-demo-server:1.0");

    public static (string Dockerfile, string Name) Fetcher { get; } = ("Dockerfile.fetcher", "minikube-demo-server-fetcher:1.0");

    public static IReadOnlyList<(string Dockerfile, string Name)> Both { get; } = [Server, Fetcher];

    private static readonly string[] BaseImageArgumentNames = ["SDK_IMAGE", "RUNTIME_DEPS_IMAGE"];

    /// <summary>The base-image build arguments that this environment sets.</summary>
    public static IReadOnlyDictionary<string, string> BaseImageArguments() =>
        BaseImageArgumentNames
            .Select(name => (Name: name, Value: Environment.GetEnvironmentVariable(name)))
            .Where(argument => !string.IsNullOrEmpty(argument.Value))
            .ToDictionary(argument => argument.Name, argument => argument.Value!);
}
