using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using MinikubeDemo.ClusterTool.Cluster;

namespace MinikubeDemo.ClusterTool.Steps;

/// <summary>
/// Both images on every node of a minikube profile, checked on each node afterwards: minikube's image commands exit 0
/// whatever happened on a node, and say why only in minikube's own log (pkg/minikube/machine/cache_images.go
/// DoLoadImages: "Live pushes are not considered a failure"; build_images.go BuildImage, kubernetes/minikube#16576).
/// </summary>
internal sealed partial class MinikubeImages(ToolHost host, ImagesStep images)
{
    /// <summary>A label that differs on every build, so that a successful build always changes the image's ID.</summary>
    public const string BuildLabel = "minikube-demo.build";

    private readonly StepCommands _commands = new(host);

    /// <param name="inNodes">Build in every node with `minikube image build --all`; null: there when this machine has no Docker engine.</param>
    public async Task RunAsync(ClusterIdentity cluster, bool? inNodes, CancellationToken cancellationToken)
    {
        var profile = ImagesStep.RequireName(cluster);
        var build = Guid.NewGuid().ToString("N");
        if (await DriverAsync(profile, cancellationToken) == "none")
        {
            // The none driver runs the kubelet on this machine, on its Docker engine: what docker builds, the pods run
            // (bsutil.KubeNodeName), and there is no `minikube ssh` to look with.
            if (cluster.Runtime != "docker" || inNodes == true)
            {
                throw new ClusterToolException("minikube's none driver runs the pods on this machine's container runtime: this tool builds for it with docker only (runtime docker, without --build-in node).");
            }

            await images.BuildAsync("docker", ["build", "--label", $"{BuildLabel}={build}"], cancellationToken);
            return;
        }

        var before = await NodeImagesAsync(cluster, cancellationToken);
        var log = Path.Combine(host.Repository, "artifacts", "images", "minikube.log");
        Directory.CreateDirectory(Path.GetDirectoryName(log)!);
        File.Delete(log);
        string[] minikube = ["-p", profile, $"--log_file={log}", "image"];
        var inNodeBuild = inNodes ?? !(await _commands.RunAsync("docker", ["version", "--format", "{{.Server.Version}}"], cancellationToken, echo: false, required: false)).Succeeded;
        if (inNodeBuild)
        {
            foreach (var app in DemoContract.Apps)
            {
                // Every node builds it (--all); each --build-opt becomes a flag of the node's builder: docker and podman
                // take --build-arg and --label, containerd's buildctl takes them as frontend options.
                await _commands.RunAsync("minikube", [.. minikube, "build", "--all", "-t", app.Image, "-f", app.Dockerfile, .. BuildOptions(cluster, build), "."], cancellationToken);
            }
        }
        else
        {
            // A tar, not the images by name: for a name, minikube first removes the node's image of that name, which
            // docker refuses while a pod uses it, and then skips the node (removeExistingImage). A tar is loaded as it
            // is, and `docker load` or `ctr import` moves the tags (LoadLocalImages).
            await images.BuildAsync("docker", ["build", "--label", $"{BuildLabel}={build}"], cancellationToken);
            var tar = await images.SaveAsync(cancellationToken);
            await _commands.RunAsync("minikube", [.. minikube, "load", tar], cancellationToken);
            File.Delete(tar);
        }

        // Each build carries a new label, so one that worked always gives the image a new ID on every node.
        var after = await NodeImagesAsync(cluster, cancellationToken);
        var stale = (from node in cluster.Nodes
                     from image in ImagesStep.Images
                     let id = after[node.Name].GetValueOrDefault(image)
                     where id is null || id == before[node.Name].GetValueOrDefault(image)
                     select $"{image} on node {node.Name} is {(id is null ? "missing" : "the old build")}").ToList();
        if (stale.Count > 0)
        {
            throw new ClusterToolException(
                $"minikube image {(inNodeBuild ? "build" : "load")} said it succeeded, but {string.Join("; ", stale)}: minikube reports success even when a " +
                $"{(inNodeBuild ? "build" : "load")} fails on a node{(inNodeBuild ? " (kubernetes/minikube#16576)" : "")}. {Logged(log)}" +
                (inNodeBuild ? " The node builds the images, so the base images must be pullable from inside it." : "") +
                " Fix it and run dotnet cake --target=Images again.");
        }
    }

    /// <summary>
    /// The profile's driver, from `minikube profile list -l -o json` (cmd/minikube/cmd/config/profile_list.go; -l reads
    /// the profiles without asking each cluster for its status); null if it cannot say.
    /// </summary>
    private async Task<string?> DriverAsync(string profile, CancellationToken cancellationToken)
    {
        var listed = await _commands.RunAsync("minikube", ["-p", profile, "profile", "list", "-l", "-o", "json"], cancellationToken, echo: false, required: false);
        try
        {
            using var profiles = JsonDocument.Parse(listed.StandardOutput);
            return profiles.RootElement.GetProperty("valid").EnumerateArray()
                .Where(found => found.GetProperty("Name").GetString() == profile)
                .Select(found => found.GetProperty("Config").GetProperty("Driver").GetString())
                .FirstOrDefault();
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            return null;
        }
    }

    private IEnumerable<string> BuildOptions(ClusterIdentity cluster, string build)
    {
        var buildctl = cluster.Runtime == "containerd";
        string Option(string kind, string value) => buildctl ? $"--build-opt=opt={kind}:{value}" : $"--build-opt={kind}={value}";
        return host.BaseImages.Select(argument => Option("build-arg", $"{argument.Key}={argument.Value}")).Append(Option("label", $"{BuildLabel}={build}"));
    }

    /// <summary>
    /// The warnings and errors of minikube's own log, which say what happened on each node: klog's entries that start
    /// with W or E, each with the lines that continue it (a command's error in a node carries its stdout and stderr).
    /// </summary>
    private static string Logged(string log)
    {
        var lines = new List<string>();
        var kept = false;
        foreach (var line in File.Exists(log) ? File.ReadLines(log) : [])
        {
            kept = KlogHeader().IsMatch(line) ? line[0] is 'W' or 'E' : kept;
            if (kept && line.Length > 0)
            {
                lines.Add(line);
            }
        }

        return lines.Count == 0
            ? $"minikube logged no warning about it ({log})."
            : $"minikube logged:{Environment.NewLine}{string.Join(Environment.NewLine, lines.Select(line => $"  | {line}"))}{Environment.NewLine}";
    }

    /// <summary>klog's line header: severity, month and day, time (k8s.io/klog's formatHeader).</summary>
    [GeneratedRegex(@"^[IWEF]\d{4} \d\d:\d\d:\d\d")]
    private static partial Regex KlogHeader();

    /// <summary>Per node, the ID of each demo image it holds, read with crictl, which every minikube node has whatever its runtime.</summary>
    private async Task<Dictionary<string, Dictionary<string, string>>> NodeImagesAsync(ClusterIdentity cluster, CancellationToken cancellationToken)
    {
        var found = new Dictionary<string, Dictionary<string, string>>(StringComparer.Ordinal);
        foreach (var node in cluster.Nodes)
        {
            // Without -n, minikube ssh goes to the primary control plane; the others are named as the API names them.
            string[] target = node.Primary ? [] : ["-n", node.Name];
            var listed = await _commands.RunAsync("minikube", ["-p", ImagesStep.RequireName(cluster), "ssh", .. target, "--", "sudo", "crictl", "images", "-o", "json"], cancellationToken, echo: false);
            found[node.Name] = DemoImageIds(listed.StandardOutput, node.Name);
        }

        return found;
    }

    /// <summary>The IDs of the demo's images in crictl's JSON listing (cri-tools' cmd/crictl/image.go), whatever registry prefix the runtime gave their tags.</summary>
    public static Dictionary<string, string> DemoImageIds(string crictlJson, string node)
    {
        JsonArray? images;
        try
        {
            images = JsonNode.Parse(crictlJson)?["images"] as JsonArray;
        }
        catch (JsonException)
        {
            images = null;
        }

        return (images ?? throw new ClusterToolException($"The image list of minikube node {node} (sudo crictl images -o json) is not what crictl prints: {crictlJson.Trim()}"))
            .SelectMany(image => (image?["repoTags"] as JsonArray ?? []).Select(tag => (Id: image?["id"]?.ToString(), Tag: Local(tag?.ToString() ?? ""))))
            .Where(image => image.Id is not null && ImagesStep.Images.Contains(image.Tag))
            .DistinctBy(image => image.Tag)
            .ToDictionary(image => image.Tag, image => image.Id!, StringComparer.Ordinal);

        static string Local(string tag) => tag.StartsWith("docker.io/library/", StringComparison.Ordinal) ? tag["docker.io/library/".Length..]
            : tag.StartsWith("localhost/", StringComparison.Ordinal) ? tag["localhost/".Length..] : tag;
    }
}
