using System.Diagnostics;
using System.IO.Compression;
using System.Net;
using Docker.DotNet;
using Docker.DotNet.Models;
using DotNet.Testcontainers.Builders;
using DotNet.Testcontainers.Configurations;
using MinikubeDemo.Containers.Tests;
using MinikubeDemo.TestSupport;

[assembly: AssemblyFixture(typeof(DemoImages))]

namespace MinikubeDemo.Containers.Tests;

/// <summary>One of the two images, under the name the chapter and the Kubernetes manifests use.</summary>
public sealed record DemoImage(string Name, string Dockerfile)
{
    public override string ToString() => Name;
}

/// <summary>Size of an image as the engine stores it and as a registry would carry it (gzip-compressed layers).</summary>
public sealed record ImageSize(long Uncompressed, long Compressed)
{
    public override string ToString() => $"{Uncompressed / 1e6:F1} MB uncompressed, {Compressed / 1e6:F1} MB compressed";
}

/// <summary>
/// Builds both images once per test run, as <see cref="DemoImageBuild"/> says. The images keep their tags
/// afterwards so later steps (minikube, the cluster tests) can reuse them.
/// </summary>
public sealed class DemoImages : IAsyncLifetime
{
    public static DemoImage Server { get; } = new(DemoImageBuild.Server.Name, DemoImageBuild.Server.Dockerfile);

    public static DemoImage Fetcher { get; } = new(DemoImageBuild.Fetcher.Name, DemoImageBuild.Fetcher.Dockerfile);

    public static TheoryData<string> Names => new(Server.Name, Fetcher.Name);

    private readonly Dictionary<string, TimeSpan> _buildTimes = [];

    public async ValueTask InitializeAsync()
    {
        // The reaper (Ryuk) is an image to pull, which an air-gapped engine cannot: the tests dispose what they start.
        TestcontainersSettings.ResourceReaperEnabled = false;
        // Ports are published on loopback only (Topology.Service); inside a container (CI's sandbox has a
        // /.dockerenv) Testcontainers would otherwise look for them on the bridge gateway. Only for a local
        // socket: a remote or docker-in-docker DOCKER_HOST publishes them elsewhere, and an explicit
        // TESTCONTAINERS_HOST_OVERRIDE always wins.
        if (TestcontainersSettings.DockerHostOverride is null
            && string.IsNullOrEmpty(Environment.GetEnvironmentVariable("TESTCONTAINERS_HOST_OVERRIDE"))
            && File.Exists("/.dockerenv")
            && TestcontainersSettings.OS.DockerEndpointAuthConfig?.Endpoint is { Scheme: "unix" })
        {
            TestcontainersSettings.DockerHostOverride = IPAddress.Loopback.ToString();
        }
        if (!await DockerEngine.IsAvailableAsync())
        {
            return; // each test skips (or fails in CI) through DockerEngine.RequireAsync
        }

        // One after the other: the second build reuses the first one's restore layer.
        foreach (var image in new[] { Server, Fetcher })
        {
            _buildTimes[image.Name] = await BuildAsync(image);
        }
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    public TimeSpan BuildTime(DemoImage image) => _buildTimes[image.Name];

    public static DemoImage ByName(string name) =>
        new[] { Server, Fetcher }.Single(image => image.Name == name);

    public static async Task<ImageSize> MeasureAsync(DemoImage image, CancellationToken cancellationToken)
    {
        var inspect = await DockerEngine.Client.Images.InspectImageAsync(image.Name, cancellationToken);
        await using var saved = await DockerEngine.Client.Images.SaveImageAsync(image.Name, cancellationToken);
        var counter = new ByteCounter();
        await using (var gzip = new GZipStream(counter, CompressionLevel.Optimal, leaveOpen: true))
        {
            await saved.CopyToAsync(gzip, cancellationToken);
        }

        return new ImageSize(inspect.Size, counter.Length);
    }

    private static async Task<TimeSpan> BuildAsync(DemoImage image)
    {
        var builder = new ImageFromDockerfileBuilder()
            .WithDockerfileDirectory(RepositoryRoot.Path)
            .WithDockerfile(image.Dockerfile)
            .WithName(image.Name)
            // Keep the previous image (and so its cached layers) until the new one replaces its tag.
            .WithDeleteIfExists(false)
            .WithCleanUp(false);
        foreach (var (argument, value) in DemoImageBuild.BaseImageArguments())
        {
            builder = builder.WithBuildArgument(argument, value);
        }

        var previousId = await ImageIdAsync(image.Name);
        var stopwatch = Stopwatch.StartNew();
        try
        {
            await builder.Build().CreateAsync();
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            throw new InvalidOperationException(
                $"Building {image.Name} from {image.Dockerfile} failed. Where no registry is reachable, build the base images "
                + "with docker/base-images/build.sh and set SDK_IMAGE and RUNTIME_DEPS_IMAGE to the names it prints.", e);
        }

        var buildTime = stopwatch.Elapsed;
        await RemoveReplacedImageAsync(previousId, image.Name);
        return buildTime;
    }

    /// <summary>The id of the image with that name, or null when there is none.</summary>
    private static async Task<string?> ImageIdAsync(string name)
    {
        try
        {
            return (await DockerEngine.Client.Images.InspectImageAsync(name)).ID;
        }
        catch (DockerImageNotFoundException)
        {
            return null;
        }
    }

    /// <summary>
    /// Removes the image a rebuild took the tag from, when nothing else names it, so that rebuilds leave no
    /// dangling &lt;none&gt; images behind. Best effort: an image still in use just stays.
    /// </summary>
    private static async Task RemoveReplacedImageAsync(string? previousId, string name)
    {
        try
        {
            if (previousId is null || previousId == await ImageIdAsync(name))
            {
                return;
            }

            var previous = await DockerEngine.Client.Images.InspectImageAsync(previousId);
            if (previous.RepoTags is not { Count: > 0 })
            {
                await DockerEngine.Client.Images.DeleteImageAsync(previousId, new ImageDeleteParameters());
            }
        }
        catch (DockerApiException)
        {
            // A container still uses it, or it is gone already: it only costs disk space.
        }
    }

    /// <summary>A write-only stream that only counts, to measure a compressed size without keeping the bytes.</summary>
    private sealed class ByteCounter : Stream
    {
        private long _length;

        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => _length;

        public override long Position { get => _length; set => throw new NotSupportedException(); }

        public override void Write(byte[] buffer, int offset, int count) => _length += count;

        public override void Write(ReadOnlySpan<byte> buffer) => _length += buffer.Length;

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            _length += buffer.Length;
            return ValueTask.CompletedTask;
        }

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
