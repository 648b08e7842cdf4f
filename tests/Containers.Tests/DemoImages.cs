using System.IO.Compression;
using System.Net;
using DotNet.Testcontainers.Configurations;
using MinikubeDemo.Containers.Tests;
using MinikubeDemo.Contract;
using MinikubeDemo.TestSupport.Docker;

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
/// Both images, built once for this test run by <see cref="DemoImageBuild"/> (as `dotnet cake --target=Images`
/// builds them). The images keep their tags afterwards so later steps (minikube, the cluster tests) can reuse them.
/// </summary>
public sealed class DemoImages : IAsyncLifetime
{
    public static DemoImage Server { get; } = new(DemoContract.Apps[0].Image, DemoContract.Apps[0].Dockerfile);

    public static DemoImage Fetcher { get; } = new(DemoContract.Apps[1].Image, DemoContract.Apps[1].Dockerfile);

    public static TheoryData<string> Names => new(Server.Name, Fetcher.Name);

    public TimeSpan BuildTime { get; private set; }

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

        BuildTime = await DemoImageBuild.BuildTimeAsync();
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    /// <summary>Returns when Docker answers and both images are built; otherwise skips (fails in CI) or fails with the build's output.</summary>
    public static Task RequireAsync() => DemoImageBuild.RequireAsync();

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
