using System.Globalization;
using System.Text.Json;

namespace MinikubeDemo.Cluster.Tests.StandIn;

/// <summary>
/// minikube v1.37's image, ssh and profile commands for one profile, as its source has them: loads and builds report
/// success whatever happened on a node, and say why only in minikube's own log file.
/// </summary>
internal sealed class Minikube(SimCluster cluster, string profile, string driver, string temp)
{
    private readonly string _runtime = cluster.Nodes[0].Runtime;

    public ProcessResult Run(ToolCall call)
    {
        var words = call.Words("-p", "--profile", "-t", "-f", "-n", "-o");
        if ((call.Option("-p", "--profile") ?? "minikube") != profile)
        {
            // cmd/minikube/cmd/image.go exits with reason.Usage (14) when it cannot load the profile; ssh with
            // GuestNotFound (85, pkg/minikube/reason/exitcodes.go).
            return ToolBox.Fails(words[0] == "image" ? 14 : 85, $"* Profile \"{call.Option("-p")}\" not found. Run \"minikube profile list\" to view all profiles.");
        }

        return (words[0], words.ElementAtOrDefault(1)) switch
        {
            ("image", "load") => Load(words[2], LogFile(call, words)),
            ("image", "build") => Build(call, LogFile(call, words)),
            ("ssh", _) => Ssh(call),
            ("profile", "list") => ToolBox.Prints(JsonSerializer.Serialize(new
            {
                invalid = Array.Empty<object>(),
                valid = new[] { new { Name = profile, Status = "OK", Config = new { Name = profile, Driver = driver, KubernetesConfig = new { ContainerRuntime = _runtime } } } },
            })),
            // cmd/minikube/cmd/root.go Execute: cobra prints the error, minikube exits ExProgramUsage (14).
            _ => ToolBox.Fails(14, $"Error: unknown command \"{string.Join(' ', words)}\" for \"minikube\""),
        };
    }

    private IEnumerable<SimNode> Nodes => cluster.Nodes.Where(node => node.Labels.GetValueOrDefault("minikube.k8s.io/name") == profile);

    /// <summary>
    /// `minikube image load`, to every running node (pkg/minikube/machine/cache_images.go DoLoadImages). A tar is loaded
    /// as it is (LoadLocalImages: no removal first, and `docker load` moves the tags). An image from the host is first
    /// removed on each node that has another build under its tag (removeExistingImage); docker refuses while a container
    /// uses it, and minikube then skips that node, logs why, and still exits 0: "Live pushes are not considered a failure".
    /// </summary>
    private ProcessResult Load(string what, string log)
    {
        var (succeeded, failed) = (new List<string>(), new List<string>());
        if (File.Exists(what))
        {
            foreach (var node in Nodes)
            {
                if (node.LoadFails is { } reason)
                {
                    // The node's command fails; minikube's runner error carries its output on the lines after (kubernetes/minikube#13289).
                    var load = _runtime == "containerd" ? "sudo ctr -n=k8s.io images import" : "docker load -i";
                    Log(log, 'W', "cache_images.go:289", $"Failed to load cached images for \"{profile}\": loading images: {load} /var/lib/minikube/images/{Path.GetFileName(what)}: Process exited with status 1\nstdout:\n\nstderr:\n{reason}");
                    failed.Add(node.Name);
                    continue;
                }

                foreach (var (tag, image) in Docker.Saved(cluster, what))
                {
                    node.Images.Tag(tag, image);
                }

                succeeded.Add(node.Name);
            }
        }
        else if (cluster.HostDocker?.Find(what) is not { } image)
        {
            return new ProcessResult(0, "", $"! The image '{what}' was not found; unable to add it to cache.\n");
        }
        else
        {
            foreach (var node in Nodes)
            {
                // needsTransfer: a node that has this very image under the tag is left alone.
                if (node.Images.Find(what) is { } current && current.Id != image.Id && _runtime == "docker" && cluster.InUse(node, current))
                {
                    Log(log, 'W', "cache_images.go:289", $"Failed to load cached images for \"{profile}\": LoadCachedImages: removing image: remove image docker: docker rmi {what}: Process exited with status 1\nstdout:\n\nstderr:\nError response from daemon: conflict: unable to remove repository reference \"{what}\" (must force) - container 1a2b3c4d5e6f is using its referenced image {current.Id[7..19]}");
                    failed.Add(node.Name);
                    continue;
                }

                node.Images.Tag(what, image);
                succeeded.Add(node.Name);
            }
        }

        Log(log, 'I', "cache_images.go:315", $"succeeded pushing to: {string.Join(' ', succeeded)}");
        if (failed.Count > 0)
        {
            Log(log, 'I', "cache_images.go:316", $"failed pushing to: {string.Join(' ', failed)}");
        }

        return ToolBox.Prints("");
    }

    /// <summary>
    /// `minikube image build` (pkg/minikube/machine/build_images.go): on the primary control plane, or every running
    /// node with --all; each --build-opt becomes a flag of the node's builder (buildctl takes `--opt build-arg:K=V`);
    /// a failed build is printed and logged, and the exit code is 0 (kubernetes/minikube#16576).
    /// </summary>
    private ProcessResult Build(ToolCall call, string log)
    {
        var named = call.Option("-n");
        var targets = Nodes.Where(node => call.Has("--all") || (named is null ? node.Labels.GetValueOrDefault("minikube.k8s.io/primary") == "true" : node.Name == named));
        var output = new List<string>();
        foreach (var node in targets)
        {
            if (_runtime == "containerd" && call.Arguments.Any(argument => argument.StartsWith("--build-opt=build-arg=", StringComparison.Ordinal)))
            {
                output.Add("error: flag provided but not defined: -build-arg");
                Log(log, 'W', "build_images.go:112", $"Failed to build image for profile {profile}. make sure the profile is running. sudo buildctl build: Process exited with status 1");
                continue;
            }

            var built = Docker.Build(cluster, node.Images, call);
            output.Add(built.StandardOutput + built.StandardError);
            if (!built.Succeeded)
            {
                Log(log, 'W', "build_images.go:112", $"Failed to build image for profile {profile}. make sure the profile is running. docker build: Process exited with status 1");
            }
        }

        return ToolBox.Prints(string.Join('\n', output) + "\n");
    }

    /// <summary>`minikube ssh [-n node] -- sudo crictl images -o json`: the node's images as cri-tools' crictl prints them; the none driver has no ssh.</summary>
    private ProcessResult Ssh(ToolCall call)
    {
        if (driver == "none")
        {
            return ToolBox.Fails(14, "X Exiting due to MK_USAGE: 'none' driver does not support 'minikube ssh' command");
        }

        var name = call.Option("-n");
        var node = Nodes.FirstOrDefault(node => name is null ? node.Labels.GetValueOrDefault("minikube.k8s.io/primary") == "true" : node.Name == name);
        if (node is null)
        {
            // reason.GuestNodeRetrieve carries ExGuestNotFound (85).
            return ToolBox.Fails(85, $"X Exiting due to GUEST_NODE_RETRIEVE: Node {name} does not exist.");
        }

        var prefix = _runtime == "containerd" ? "docker.io/library/" : "";
        var images = node.Images.Tags.GroupBy(tag => tag.Value.Id).Select(group => new
        {
            id = group.Key,
            repoTags = group.Select(tag => prefix + tag.Key).ToArray(),
            repoDigests = Array.Empty<string>(),
            size = "12345678",
            username = "",
            pinned = false,
        });
        return ToolBox.Prints(JsonSerializer.Serialize(new { images }));
    }

    /// <summary>
    /// Where minikube's klog writes: --log_file, else $TMPDIR/minikube_&lt;command&gt;_&lt;hash of user and arguments&gt;_0.log
    /// (cmd/minikube/main.go logFileName, which hashes with SHA-1; any stable hash names the file as well).
    /// </summary>
    private string LogFile(ToolCall call, IReadOnlyList<string> words) =>
        call.Option("--log_file") ?? Path.Combine(temp, $"minikube_{words[0]}_{Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(string.Concat(words))))[..40]}_0.log");

    /// <summary>A klog entry: severity, date, time, thread, file:line, message, whose newlines klog writes as they are.</summary>
    private static void Log(string file, char severity, string source, string message) =>
        File.AppendAllText(file, string.Create(CultureInfo.InvariantCulture, $"{severity}{DateTime.UtcNow:MMdd HH:mm:ss.ffffff}    4242 {source}] {message}\n"));
}
