using Docker.DotNet;
using DotNet.Testcontainers.Configurations;

namespace MinikubeDemo.TestSupport.Docker;

/// <summary>
/// The Docker engine the container and k3s tiers use, found the way Testcontainers finds it (DOCKER_HOST,
/// ~/.testcontainers.properties, the local socket, ...). The docker CLI that builds the images is pointed at the
/// same engine. A missing engine skips those tests on a laptop and fails them in CI (<see cref="Prerequisite"/>).
/// </summary>
public static class DockerEngine
{
    /// <summary>Testcontainers 4.x speaks Docker Engine API 1.44 and refuses older engines.</summary>
    private static readonly Version MinimumApiVersion = new(1, 44);

    private static readonly Lazy<Task<string?>> UnavailableReason = new(FindUnavailableReasonAsync);

    public static DockerClient Client { get; } = CreateClient();

    /// <summary>Skips (or in CI fails) the calling test when no usable Docker engine answers.</summary>
    public static async Task RequireAsync()
    {
        if (await UnavailableReason.Value is { } reason)
        {
            Prerequisite.Missing($"No Docker engine reachable ({reason}): container tests need Docker API {MinimumApiVersion}+");
        }
    }

    public static async Task<bool> IsAvailableAsync() => await UnavailableReason.Value is null;

    /// <summary>For the docker CLI: the engine Testcontainers resolved, so that what the CLI builds is where the containers run.</summary>
    public static IReadOnlyDictionary<string, string?> CliEnvironment =>
        TestcontainersSettings.OS.DockerEndpointAuthConfig?.Endpoint is { } endpoint
            ? new Dictionary<string, string?> { ["DOCKER_HOST"] = endpoint.ToString() }
            : new Dictionary<string, string?>();

    private static DockerClient CreateClient() =>
        TestcontainersSettings.OS.DockerEndpointAuthConfig is { } endpoint
            ? endpoint.GetDockerClientBuilder(Guid.NewGuid()).Build()
            : new DockerClientBuilder().Build();

    private static async Task<string?> FindUnavailableReasonAsync()
    {
        if (TestcontainersSettings.OS.DockerEndpointAuthConfig is null)
        {
            return "Testcontainers found no Docker endpoint";
        }

        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            var version = await Client.System.GetVersionAsync(timeout.Token);
            return Version.TryParse(version.APIVersion, out var api) && api >= MinimumApiVersion
                ? null
                : $"engine {version.Version} speaks API {version.APIVersion}";
        }
        catch (Exception e) when (e is DockerApiException or HttpRequestException or IOException or TimeoutException
                                      or OperationCanceledException or System.Net.Sockets.SocketException)
        {
            return $"{TestcontainersSettings.OS.DockerEndpointAuthConfig.Endpoint}: {e.Message}";
        }
    }
}
