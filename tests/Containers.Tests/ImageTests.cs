using System.Formats.Tar;
using Docker.DotNet.Models;
using DotNet.Testcontainers.Containers;
using MinikubeDemo.TestSupport.Docker;

namespace MinikubeDemo.Containers.Tests;

/// <summary>The images themselves: small, non-root, and nothing in them but the service and what it links.</summary>
public sealed class ImageTests(DemoImages images)
{
    // What a node pulls: the project's target for each image, gzip-compressed as a registry stores its layers.
    private const long MaxCompressedBytes = 15_000_000;

    private static readonly HashSet<string> ForbiddenPrograms = ["sh", "bash", "dash", "ash", "busybox", "apt", "apt-get", "dpkg", "rpm"];

    [Theory(Timeout = 120_000)]
    [MemberData(nameof(DemoImages.Names), MemberType = typeof(DemoImages))]
    public async Task Image_is_at_most_15_MB_compressed(string name)
    {
        await DemoImages.RequireAsync();
        var image = DemoImages.ByName(name);

        var size = await DemoImages.MeasureAsync(image, TestContext.Current.CancellationToken);

        Report.Line($"{image.Name}: {size} (built in {images.BuildTime.TotalSeconds:F0} s for both here)");
        Assert.True(size.Compressed <= MaxCompressedBytes, $"{image.Name} is {size}; at most {MaxCompressedBytes / 1e6} MB compressed allowed");
    }

    [Theory(Timeout = 120_000)]
    [MemberData(nameof(DemoImages.Names), MemberType = typeof(DemoImages))]
    public async Task Image_runs_as_non_root_user_1654(string name)
    {
        await DemoImages.RequireAsync();
        var image = DemoImages.ByName(name);
        var inspect = await DockerEngine.Client.Images.InspectImageAsync(image.Name, TestContext.Current.CancellationToken);
        Assert.Equal("1654", inspect.Config?.User);

        await using var container = Topology.Service(image).Build();
        await container.StartAsync(TestContext.Current.CancellationToken);

        Assert.All(await ProcessUserIdsAsync(container), uid => Assert.Equal("1654", uid));
    }

    [Theory(Timeout = 120_000)]
    [MemberData(nameof(DemoImages.Names), MemberType = typeof(DemoImages))]
    public async Task Image_has_no_shell_package_manager_symbols_or_development_settings(string name)
    {
        await DemoImages.RequireAsync();
        var image = DemoImages.ByName(name);
        await using var container = Topology.Service(image).Build();
        await container.StartAsync(TestContext.Current.CancellationToken);

        var files = await FileSystemAsync(container);

        Report.Line($"{image.Name}: {files.Count} files; /app holds {string.Join(", ", files.Where(file => file.StartsWith("app/", StringComparison.Ordinal)))}");
        Assert.DoesNotContain(files, file => ForbiddenPrograms.Contains(Path.GetFileName(file)));
        Assert.DoesNotContain(files, file => file.EndsWith(".dbg", StringComparison.Ordinal) || file.EndsWith(".pdb", StringComparison.Ordinal));
        Assert.DoesNotContain(files, file => file.EndsWith(".Development.json", StringComparison.Ordinal));
        Assert.False(await CanRunAsync(container, "/bin/sh"), $"docker exec /bin/sh worked in {image.Name}: the image has a shell");
    }

    private static async Task<IReadOnlyList<string>> ProcessUserIdsAsync(IContainer container)
    {
        // `docker top`: the engine's view of the processes, so it needs nothing inside the image.
        var top = await DockerEngine.Client.Containers.ListProcessesAsync(container.Id, new ContainerListProcessesParameters { PsArgs = "-o pid,uid,args" });
        var uidColumn = top.Titles.IndexOf("UID");
        Assert.True(uidColumn >= 0, $"docker top shows no UID column: {string.Join(' ', top.Titles)}");
        Assert.NotEmpty(top.Processes);
        return [.. top.Processes.Select(process => process[uidColumn])];
    }

    private static async Task<IReadOnlyList<string>> FileSystemAsync(IContainer container)
    {
        await using var export = await DockerEngine.Client.Containers.ExportContainerAsync(container.Id);
        await using var reader = new TarReader(export);
        var files = new List<string>();
        while (await reader.GetNextEntryAsync() is { } entry)
        {
            if (entry.EntryType is not TarEntryType.Directory)
            {
                files.Add(entry.Name.TrimStart('.', '/'));
            }
        }

        return files;
    }

    private static async Task<bool> CanRunAsync(IContainer container, string program)
    {
        try
        {
            var result = await container.ExecAsync([program, "-c", "true"]);
            return result.ExitCode == 0;
        }
        catch (Docker.DotNet.DockerApiException)
        {
            return false;
        }
    }
}
