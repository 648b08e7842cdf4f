using System.Diagnostics;
using CliWrap;
using CliWrap.Buffered;
using MinikubeDemo.Contract;

namespace MinikubeDemo.TestSupport.Docker;

/// <summary>
/// Both images, built for the container and k3s tiers from the Dockerfiles as the README builds them (`docker build
/// -f Dockerfile.server -t minikube-demo-server:1.0 .`, with the base-image arguments the environment sets: the same
/// command `dotnet cake --target=Images --cluster=docker` runs, so its layers are in the cache), on the engine
/// Testcontainers uses. Built once per test process; a lock file keeps two test processes from compiling them at the
/// same time, so the second one finds Docker's cache.
/// </summary>
public static class DemoImageBuild
{
    private static readonly string LockFile = Path.Combine(Path.GetTempPath(), "minikube-demo-image-build.lock");
    private static readonly TimeSpan LockLimit = TimeSpan.FromMinutes(30);
    private static readonly Lazy<Task<BuildOutcome>> Outcome = new(BuildOnceAsync);

    /// <summary>How long the build took here (near zero when another process built them first).</summary>
    public static async Task<TimeSpan> BuildTimeAsync() => (await Outcome.Value).Took;

    /// <summary>Whether both images are built, for fixtures that start containers before any test can skip.</summary>
    public static async Task<bool> IsBuiltAsync() => await Outcome.Value is { Unavailable: null, Failure: null };

    /// <summary>
    /// Returns once both images are built; skips the test (fails it in CI) where Docker or the base images cannot be
    /// had, and fails it with the build's output when the build itself fails.
    /// </summary>
    public static async Task RequireAsync()
    {
        await DockerEngine.RequireAsync();
        var outcome = await Outcome.Value;
        if (outcome.Unavailable is { } reason)
        {
            Prerequisite.Missing($"The demo images cannot be built here: {reason}");
        }

        if (outcome.Failure is { } failure)
        {
            Assert.Fail(failure);
        }
    }

    /// <summary>The docker CLI, pointed at the engine Testcontainers resolved, run from the repository root.</summary>
    public static Task<BufferedCommandResult> DockerAsync(IEnumerable<string> arguments, CancellationToken cancellationToken) =>
        Cli.Wrap("docker").WithArguments(arguments).WithWorkingDirectory(RepositoryRoot.Path)
            .WithEnvironmentVariables(DockerEngine.CliEnvironment).WithValidation(CommandResultValidation.None)
            .ExecuteBufferedAsync(cancellationToken);

    private static async Task<BuildOutcome> BuildOnceAsync()
    {
        if (!await DockerEngine.IsAvailableAsync())
        {
            return new BuildOutcome(TimeSpan.Zero, "no Docker engine", null);
        }

        var baseImages = DemoContract.BaseImageArguments
            .Select(name => (Name: name, Value: Environment.GetEnvironmentVariable(name)))
            .Where(argument => !string.IsNullOrEmpty(argument.Value))
            .ToList();
        if (await WhyBaseImagesUnavailableAsync(baseImages) is { } why)
        {
            return new BuildOutcome(TimeSpan.Zero, why, null);
        }

        await using var held = await HoldLockAsync();
        var clock = Stopwatch.StartNew();
        foreach (var app in DemoContract.Apps)
        {
            var build = await DockerAsync(["build", "-f", app.Dockerfile, "-t", app.Image, .. baseImages.SelectMany(argument => new[] { "--build-arg", $"{argument.Name}={argument.Value}" }), "."], CancellationToken.None);
            if (build.ExitCode != 0)
            {
                return new BuildOutcome(clock.Elapsed, null, $"docker build -f {app.Dockerfile} failed with exit code {build.ExitCode}:{Environment.NewLine}{build.StandardOutput}{build.StandardError}");
            }
        }

        return new BuildOutcome(clock.Elapsed, null, null);
    }

    /// <summary>Null when each base image the build needs is here or can be pulled, else why not.</summary>
    private static async Task<string?> WhyBaseImagesUnavailableAsync(List<(string Name, string? Value)> baseImages)
    {
        var dockerfile = await File.ReadAllLinesAsync(Path.Combine(RepositoryRoot.Path, DemoContract.Apps[0].Dockerfile));
        var images = DemoContract.BaseImageArguments.Select(name => baseImages.FirstOrDefault(argument => argument.Name == name).Value
            ?? dockerfile.Single(line => line.StartsWith($"ARG {name}=", StringComparison.Ordinal))[$"ARG {name}=".Length..].Trim());
        foreach (var image in images.Distinct())
        {
            if ((await DockerAsync(["image", "inspect", "--format", "{{.Id}}", image], CancellationToken.None)).ExitCode != 0
                && await DockerAsync(["pull", image], CancellationToken.None) is { ExitCode: not 0 } pull)
            {
                return $"base image {image} is not here and cannot be pulled ({pull.StandardError.Trim()}); where no registry is reachable, build stand-ins with " +
                       "docker/base-images/build.sh and set SDK_IMAGE and RUNTIME_DEPS_IMAGE to the names it prints";
            }
        }

        return null;
    }

    private static async Task<FileStream> HoldLockAsync()
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                return new FileStream(LockFile, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException) when (clock.Elapsed < LockLimit)
            {
                // Another test process is building them: wait for it, then find its layers in the cache.
                await Task.Delay(TimeSpan.FromSeconds(1));
            }
        }
    }

    private sealed record BuildOutcome(TimeSpan Took, string? Unavailable, string? Failure);
}
