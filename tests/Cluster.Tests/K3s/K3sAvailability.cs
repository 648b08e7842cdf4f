using System.ComponentModel;
using CliWrap;
using CliWrap.Buffered;
using MinikubeDemo.TestSupport.Docker;

namespace MinikubeDemo.Cluster.Tests.K3s;

/// <summary>
/// The one place that decides whether the k3s tier can run: the Docker engine Testcontainers uses must answer,
/// the pinned k3s image must be there or pullable, and kubectl must be installed (the tier deploys with it, as
/// the Deploy step does). Where it cannot, the tier skips with the reason, unless K3S_TESTS_REQUIRED=true (CI
/// where Docker Hub is reachable) turns the skip into a failure.
/// </summary>
internal static class K3sAvailability
{
    /// <summary>Pinned so every run tests the same Kubernetes (1.34) and the same bundled Traefik.</summary>
    public const string Image = "rancher/k3s:v1.34.1-k3s1";

    private static readonly TimeSpan PullLimit = TimeSpan.FromMinutes(5);

    private static readonly Lazy<Task<string?>> WhyUnavailable = new(FindWhyUnavailableAsync);

    private static bool Required =>
        string.Equals(Environment.GetEnvironmentVariable("K3S_TESTS_REQUIRED"), "true", StringComparison.OrdinalIgnoreCase);

    /// <summary>Null when a k3s cluster can be started here, else why not.</summary>
    public static Task<string?> WhyUnavailableAsync() => WhyUnavailable.Value;

    /// <summary>Returns when the tier can run; skips the test (or fails it when required) when it cannot.</summary>
    public static async Task RequireAsync()
    {
        if (await WhyUnavailableAsync() is not { } reason)
        {
            return;
        }

        if (Required)
        {
            Assert.Fail($"{reason}. K3S_TESTS_REQUIRED=true: the k3s tier must run on this machine.");
        }

        MinikubeDemo.TestSupport.Prerequisite.Skip(reason);
    }

    private static async Task<string?> FindWhyUnavailableAsync()
    {
        if (!await DockerEngine.IsAvailableAsync())
        {
            return $"No Docker engine answers here; the k3s tier needs one that can pull {Image}, e.g. on GitHub Actions";
        }

        try
        {
            await Cli.Wrap("kubectl").WithArguments(["version", "--client"]).WithValidation(CommandResultValidation.None).ExecuteBufferedAsync();
        }
        catch (Win32Exception)
        {
            return "kubectl is not installed; the k3s tier deploys with it, as dotnet cake --target=Deploy does";
        }

        if ((await DemoImageBuild.DockerAsync(["image", "inspect", Image], CancellationToken.None)).ExitCode == 0)
        {
            return null;
        }

        using var limit = new CancellationTokenSource(PullLimit);
        var pull = await DemoImageBuild.DockerAsync(["pull", Image], limit.Token);
        return pull.ExitCode == 0
            ? null
            : $"k3s image {Image} cannot be pulled here ({pull.StandardError.Trim()}); the k3s tier runs where Docker can reach Docker Hub, e.g. GitHub Actions";
    }
}
