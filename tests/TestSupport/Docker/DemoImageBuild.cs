using System.Diagnostics;
using MinikubeDemo.ClusterTool;
using MinikubeDemo.ClusterTool.Images;
using MinikubeDemo.ClusterTool.Processes;
using Spectre.Console;

namespace MinikubeDemo.TestSupport.Docker;

/// <summary>
/// Both images, built for the container and k3s tiers exactly as `dotnet cake --target=Images` builds them
/// (<see cref="ImagesStep.DockerBuildAsync"/>: the docker CLI, one builder, one cache), on the engine
/// Testcontainers uses. Built once per test process; a lock file keeps two test processes from compiling them at
/// the same time, so the second one finds Docker's cache.
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

    private static async Task<BuildOutcome> BuildOnceAsync()
    {
        if (!await DockerEngine.IsAvailableAsync())
        {
            return new BuildOutcome(TimeSpan.Zero, "no Docker engine", null);
        }

        using var log = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Ansi = AnsiSupport.No, ColorSystem = ColorSystemSupport.NoColors, Out = new AnsiConsoleOutput(log) });
        console.Profile.Width = 1000;
        var step = new ImagesStep(SystemProcessRunner.Instance, console, RepositoryRoot.Path, ImagesStep.BaseImagesFromEnvironment(), DockerEngine.CliEnvironment);
        if (await step.WhyBaseImagesUnavailableAsync(CancellationToken.None) is { } why)
        {
            return new BuildOutcome(TimeSpan.Zero, why, null);
        }

        await using var held = await HoldLockAsync();
        var clock = Stopwatch.StartNew();
        try
        {
            await step.DockerBuildAsync(CancellationToken.None);
            return new BuildOutcome(clock.Elapsed, null, null);
        }
        catch (ClusterToolException e)
        {
            return new BuildOutcome(clock.Elapsed, null, $"{e.Message}{Environment.NewLine}{log}");
        }
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
