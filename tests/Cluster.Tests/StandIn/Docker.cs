using System.Text.Json;

namespace MinikubeDemo.Cluster.Tests.StandIn;

/// <summary>
/// The docker CLI against the host's engine (<see cref="SimCluster.HostDocker"/>): what the Images step asks of it.
/// Without an engine every command fails as the CLI does when no daemon answers.
/// </summary>
internal static class Docker
{
    public const string NoDaemon = "Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?";

    /// <summary>The name `docker info` gives the engine: Docker Desktop and Rancher Desktop name it after their node.</summary>
    public static ProcessResult Run(SimCluster cluster, ToolCall call, string engineName)
    {
        if (cluster.HostDocker is not { } engine)
        {
            return ToolBox.Fails(1, NoDaemon);
        }

        var arguments = call.Arguments;
        switch (arguments[0])
        {
            case "version":
                return ToolBox.Prints("28.4.0\n");
            case "info":
                return ToolBox.Prints(engineName + "\n");
            case "build":
                return Build(cluster, engine, call);
            case "save":
                // One tar of several images (docker save -o f.tar a b); its manifest names each with its tags.
                var images = call.Words("-o").Skip(1).Select(tag => (Tag: tag, Image: engine.Find(tag))).ToList();
                if (images.FirstOrDefault(image => image.Image is null) is { Tag: { } missing, Image: null })
                {
                    return ToolBox.Fails(1, $"Error response from daemon: reference does not exist: {missing}");
                }

                File.WriteAllText(call.Option("-o")!, JsonSerializer.Serialize(images.Select(image => new SavedImage(image.Tag, image.Image!.Id))));
                return ToolBox.Prints("");
            case "image" when arguments[1] == "inspect":
                return engine.Find(arguments[^1]) is { } found ? ToolBox.Prints(found.Id + "\n") : ToolBox.Fails(1, $"Error response from daemon: No such image: {arguments[^1]}");
            default:
                return ToolBox.Fails(1, $"docker: '{arguments[0]}' is not a command the stand-in knows.");
        }
    }

    /// <summary>A build from the student's checkout: it fails as `dotnet publish` fails when the code does not compile.</summary>
    public static ProcessResult Build(SimCluster cluster, ImageStore into, ToolCall call)
    {
        var dockerfile = call.Option("-f")!;
        var tag = call.Option("-t")!;
        if (!cluster.Source.Compiles)
        {
            return ToolBox.Fails(1, "error: failed to solve: process \"/bin/sh -c dotnet publish\" did not complete successfully: exit code: 1");
        }

        var image = cluster.Source.Build(dockerfile);
        cluster.Builds[image.Id] = image;
        into.Tag(tag, image);
        return ToolBox.Prints($"Successfully built {image.Id[7..19]}\nSuccessfully tagged {tag}\n");
    }

    /// <summary>The images of a tar that `docker save` wrote, with their tags.</summary>
    public static IReadOnlyList<(string Tag, SimImage Image)> Saved(SimCluster cluster, string tar) =>
        [.. JsonSerializer.Deserialize<SavedImage[]>(File.ReadAllText(tar))!.Select(saved => (saved.Tag, cluster.Builds[saved.Id]))];

    private sealed record SavedImage(string Tag, string Id);
}
