// The demo's pipeline: `dotnet tool restore && dotnet cake` (the default target), or `--target=<name>`.
// `dotnet cake --target=Help` lists the targets and arguments.
using System.Diagnostics;
using System.Net.Http;
using System.Threading;

var target = Argument("target", "Default");
var configuration = Argument("configuration", "Release");
var serverPort = Argument("server-port", 8000);
var fetcherPort = Argument("fetcher-port", 8001);
var aot = Argument("aot", false);
// Cluster targets (Images, Deploy, Verify, Scale, Undeploy): the cluster of kubectl's current context.
var k8sNamespace = Argument("namespace", "default");
var clusterTimeoutSeconds = Argument("timeout", 180);
var serverReplicas = Argument("replicas", 2);
var verifyRequests = Argument("requests", 300);
var clusterKindArgument = Argument("cluster", "");

// Described once here so that Help prints exactly what the arguments are.
var arguments = new (string Name, string Default, string Description)[]
{
    ("target", "Default", "What to run (see the list of targets)."),
    ("configuration", "Release", "Build configuration."),
    ("server-port", "8000", "Local: the server's port (the course's 8000)."),
    ("fetcher-port", "8001", "Local: the fetcher's port; it calls the server on server-port."),
    ("aot", "false", "Local: publish Native AOT binaries (slower to build, as in the images) instead of framework-dependent ones."),
    ("namespace", "default", "Deploy, Verify, Scale, Undeploy: the namespace the demo runs in."),
    ("timeout", "180", "Deploy, Verify, Scale: seconds to wait for rollouts and endpoints before failing."),
    ("replicas", "2", "Scale: server replicas to scale to (the chapter's 2; try 1)."),
    ("requests", "300", "Verify: requests sent through the fetcher for the per-pod bar chart."),
    ("cluster", "from the kubectl context", "Images: where the images go: minikube, kind, k3d, k3s or docker."),
};

Task("Help")
    .Description("Lists the targets and the arguments with their defaults.")
    .Does(() =>
{
    Information("Targets (dotnet cake --target=<name>):");
    foreach (var task in Tasks.OrderBy(t => t.Name))
    {
        Information($"  {task.Name,-10} {task.Description}");
    }
    Information("Arguments (--name=value):");
    foreach (var (name, value, description) in arguments)
    {
        Information($"  --{name,-14} {description} Default: {value}.");
    }
});

Task("Build")
    .Description("Builds every project; warnings are errors.")
    .Does(() =>
{
    DotNetBuild("MinikubeDemo.slnx", new DotNetBuildSettings { Configuration = configuration });
});

Task("Test")
    .Description("Runs every test tier with `dotnet test`, the README's test command.")
    .Does(() => Run("dotnet", "test"));

Task("Local")
    .Description("Publishes both services, runs them as local processes (the fetcher pointed at the server), calls both and stops them: the demo without a cluster.")
    .Does(() =>
{
    var output = MakeAbsolute(Directory("artifacts/local"));
    var publish = new DotNetPublishSettings
    {
        Configuration = configuration,
        MSBuildSettings = new DotNetMSBuildSettings().WithProperty("PublishAot", aot ? "true" : "false"),
    };
    if (aot)
    {
        // Native AOT needs a runtime identifier: this machine's, so it also works on arm64 and macOS.
        publish.ArgumentCustomization = args => args.Append("--use-current-runtime");
    }
    foreach (var project in new[] { "server", "server-fetcher" })
    {
        publish.OutputDirectory = output.Combine(project);
        DotNetPublish($"{project}/", publish);
    }

    var serverUrl = $"http://127.0.0.1:{serverPort}";
    var fetcherUrl = $"http://127.0.0.1:{fetcherPort}";
    using var server = LocalService.Start(output.Combine("server"), "minikube-demo-server", aot, serverPort, new()
    {
        ["POD_NAME"] = "local-server",
    });
    using var fetcher = LocalService.Start(output.Combine("server-fetcher"), "minikube-demo-server-fetcher", aot, fetcherPort, new()
    {
        ["POD_NAME"] = "local-fetcher",
        ["Upstream__BaseUrl"] = serverUrl,
    });

    using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
    LocalService.WaitUntilReady(http, server, serverUrl);
    LocalService.WaitUntilReady(http, fetcher, fetcherUrl);

    var failures = 0;
    foreach (var (name, url, expected) in new[]
    {
        ("server", serverUrl, "{\"message\":\"Hello world!\"}"),
        ("fetcher", fetcherUrl, "{\"message\":\"Fetched: Hello world!\"}"),
    })
    {
        using var response = http.GetAsync(url + "/").GetAwaiter().GetResult();
        var body = response.Content.ReadAsStringAsync().GetAwaiter().GetResult();
        var servedBy = string.Join(", ", new[] { "X-Instance", "X-Upstream-Instance" }
            .Where(h => response.Headers.Contains(h))
            .Select(h => $"{h}: {string.Join(",", response.Headers.GetValues(h))}"));
        var ok = (int)response.StatusCode == 200 && body == expected;
        failures += ok ? 0 : 1;
        Information("{0}", $"{name,-8} GET {url}/ -> {(int)response.StatusCode} {body}   ({servedBy}){(ok ? "" : $"   EXPECTED {expected}")}");
    }

    fetcher.Stop();
    server.Stop();
    if (failures > 0)
    {
        throw new CakeException($"{failures} local answer(s) were not what the course shows.");
    }
});

Task("Bench")
    .Description("bench/run.sh: this server and fetcher against the course's Hono on Deno and nginx, on loopback; writes bench/results.md + .svg (--smoke: a short check into bench/results.smoke.md; --rounds=N).")
    .Does(() => Run("bash", "bench/run.sh" + (HasArgument("smoke") ? " --smoke" : "") + (HasArgument("rounds") ? $" --rounds {Argument<int>("rounds")}" : "")));

//////////////////////////////////////////////////////////////////////
// Cluster: Images, Deploy, Verify, Scale, Undeploy, and the Default target's cluster detection.
// They work on the cluster of kubectl's current context, as the chapter does; the checks are
// cluster-tool's (`dotnet run --project cluster-tool -- --help`).
//////////////////////////////////////////////////////////////////////

var demoImages = new[]
{
    (Dockerfile: "Dockerfile.server", Image: "minikube-demo-server:1.0"),
    (Dockerfile: "Dockerfile.fetcher", Image: "minikube-demo-server-fetcher:1.0"),
};
var demoDeployments = "deployment/minikube-demo-server-deployment deployment/minikube-demo-server-fetcher-deployment";

/// <summary>Runs a program quietly: exit code and output (-1 and the error when it is not installed).</summary>
(int ExitCode, string Output) Capture(string tool, string commandLine)
{
    try
    {
        var exitCode = StartProcess(tool, new ProcessSettings { Arguments = commandLine, RedirectStandardOutput = true, RedirectStandardError = true },
            out var standardOutput, out var standardError);
        return (exitCode, string.Join(Environment.NewLine, standardOutput.Concat(standardError)).Trim());
    }
    catch (Exception e)
    {
        return (-1, e.Message);
    }
}

void Run(string tool, string commandLine)
{
    Information("{0}", $"{tool} {commandLine}");
    var exitCode = StartProcess(tool, new ProcessSettings { Arguments = commandLine });
    if (exitCode != 0)
    {
        throw new CakeException(exitCode, $"`{tool} {commandLine}` failed with exit code {exitCode}.");
    }
}

void ClusterTool(string commandLine) =>
    Run("dotnet", $"run --project cluster-tool/MinikubeDemo.ClusterTool.csproj --configuration {configuration} -- {commandLine} --namespace {k8sNamespace} --timeout {clusterTimeoutSeconds}");

/// <summary>Null when the API server of kubectl's current context answers, else kubectl's reason.</summary>
string WhyNoCluster()
{
    var probe = Capture("kubectl", "get --raw /readyz --request-timeout=5s");
    return probe.ExitCode == 0 ? null : probe.Output.Split('\n').FirstOrDefault(line => line.Trim().Length > 0) ?? $"kubectl exited with {probe.ExitCode}";
}

void RequireCluster()
{
    if (WhyNoCluster() is { } whyNoCluster)
    {
        throw new CakeException($"No Kubernetes cluster found ({whyNoCluster}): start one with `minikube start`, or point kubectl at one.");
    }
}

/// <summary>kubectl's current context, or null when none is set.</summary>
string CurrentContext()
{
    var context = Capture("kubectl", "config current-context");
    return context.ExitCode == 0 && context.Output.Length > 0 ? context.Output : null;
}

/// <summary>The minikube profile running the current context's cluster (minikube labels its nodes with it), or null.</summary>
string MinikubeProfile()
{
    var label = Capture("kubectl", @"get nodes -o jsonpath={.items[0].metadata.labels.minikube\.k8s\.io/name} --request-timeout=5s");
    return label.ExitCode == 0 && label.Output.Length > 0 ? label.Output : null;
}

/// <summary>Where the images must go, since imagePullPolicy is Never: the cluster's own image store.</summary>
string ClusterKind()
{
    if (clusterKindArgument != "")
    {
        return clusterKindArgument;
    }
    var context = CurrentContext() ?? "";
    // `minikube -p <profile>` names the context after the profile; its nodes carry minikube's label whatever the name.
    if (context == "minikube" || MinikubeProfile() is not null) return "minikube";
    if (context.StartsWith("kind-")) return "kind";
    if (context.StartsWith("k3d-")) return "k3d";
    var kubelet = Capture("kubectl", "get nodes -o jsonpath={.items[0].status.nodeInfo.kubeletVersion} --request-timeout=5s").Output;
    return kubelet.Contains("+k3s") ? "k3s" : "docker";
}

/// <summary>The kind or k3d cluster to load the images into: the one whose context ("kind-&lt;name&gt;", "k3d-&lt;name&gt;") is current.</summary>
string ClusterNameFromContext(string kind)
{
    var context = CurrentContext();
    var prefix = kind + "-";
    if (context is null || !context.StartsWith(prefix) || context.Length == prefix.Length)
    {
        throw new CakeException($"--cluster={kind} loads the images into the cluster of kubectl's current context, which {kind} names \"{prefix}<cluster>\", "
            + $"but the current context is {(context is null ? "not set" : $"\"{context}\"")}: `kubectl config use-context {prefix}<cluster>` first.");
    }
    return context.Substring(prefix.Length);
}

/// <summary>The Dockerfiles' base images from the environment where set (local stand-ins where no registry is reachable).</summary>
IEnumerable<(string Name, string Value)> BaseImageArguments() =>
    new[] { "SDK_IMAGE", "RUNTIME_DEPS_IMAGE" }
        .Select(name => (Name: name, Value: EnvironmentVariable(name)))
        .Where(argument => !string.IsNullOrEmpty(argument.Value));

Task("Images")
    .Description("Builds both images where the cluster runs them: `minikube image build` on minikube, else `docker build`, loaded into kind, k3d or k3s when that is the context.")
    .Does(() =>
{
    var kind = ClusterKind();
    // The minikube profile, or the kind / k3d cluster, whose image store takes the images.
    var clusterName = kind switch
    {
        "minikube" => MinikubeProfile() ?? "minikube",
        "kind" or "k3d" => ClusterNameFromContext(kind),
        _ => null,
    };
    Information("{0}", $"Building the images for the {kind} cluster{(clusterName is null ? "" : $" {clusterName}")} (--cluster=<kind> to choose another).");
    // minikube passes build arguments on to its builder as build options.
    var buildArguments = string.Concat(BaseImageArguments().Select(argument => kind == "minikube"
        ? $" --build-opt=build-arg={argument.Name}={argument.Value}"
        : $" --build-arg {argument.Name}={argument.Value}"));
    foreach (var (dockerfile, image) in demoImages)
    {
        if (kind == "minikube")
        {
            Run("minikube", $"image build -p {clusterName} -t {image} -f {dockerfile}{buildArguments} .");
            continue;
        }

        Run("docker", $"build -f {dockerfile} -t {image}{buildArguments} .");
        switch (kind)
        {
            case "kind":
                Run("kind", $"load docker-image {image} --name {clusterName}");
                break;
            case "k3d":
                Run("k3d", $"image import {image} --cluster {clusterName}");
                break;
            case "k3s":
                // k3s runs its own containerd: it takes the image as a tar, and `k3s ctr` needs root.
                var tar = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"{image.Replace(':', '-')}.tar");
                Run("docker", $"save -o {tar} {image}");
                var import = $"ctr --namespace k8s.io images import {tar}";
                if (Environment.UserName == "root") Run("k3s", import); else Run("sudo", $"k3s {import}");
                System.IO.File.Delete(tar);
                break;
            default:
                Warning("{0}", $"{image} is in this Docker engine only: a cluster that does not share it (Docker Desktop does) needs it loaded into its nodes.");
                break;
        }
    }
});

Task("Deploy")
    .Description("kubectl apply -f k8s/, restarts pods still on an older build of the images, and waits for both rollouts.")
    .Does(() =>
{
    RequireCluster();
    // The tag stays 1.0, so re-applying unchanged manifests would leave running pods on the previous build.
    var alreadyDeployed = Capture("kubectl", $"get {demoDeployments} --namespace {k8sNamespace}").ExitCode == 0;
    Run("kubectl", $"apply -f k8s/ --namespace {k8sNamespace}");
    if (alreadyDeployed)
    {
        Run("kubectl", $"rollout restart {demoDeployments} --namespace {k8sNamespace}");
    }
    ClusterTool("wait");
});

Task("Verify")
    .Description("Checks the server Service's endpoints against its ready replicas, the fetcher's exact reply, and charts which server pod answered.")
    .Does(() => ClusterTool($"verify --requests {verifyRequests}"));

Task("Scale")
    .Description("Scales the server to --replicas=N and shows the Service's endpoint list follow.")
    .Does(() => ClusterTool($"scale --replicas {serverReplicas}"));

Task("Undeploy")
    .Description("kubectl delete -f k8s/: removes everything Deploy created.")
    .Does(() =>
{
    RequireCluster();
    Run("kubectl", $"delete -f k8s/ --namespace {k8sNamespace} --ignore-not-found --wait");
});

// Default: deploy and verify where kubectl's current context reaches a cluster, else the demo without one.
var defaultTask = Task("Default")
    .Description("Images, Deploy and Verify when kubectl's current context reaches a cluster; otherwise Local.");
if (target == "Default")
{
    if (WhyNoCluster() is { } whyNoCluster)
    {
        Information("{0}", $"No Kubernetes cluster found ({whyNoCluster}); start one with `minikube start` and run `dotnet cake` again. Running Local.");
        defaultTask.IsDependentOn("Local");
    }
    else
    {
        defaultTask.IsDependentOn("Images").IsDependentOn("Deploy").IsDependentOn("Verify");
    }
}

RunTarget(target);

/// <summary>A service published to a folder, running as a child process until stopped.</summary>
public sealed class LocalService : IDisposable
{
    private readonly Process _process;
    private readonly string _name;

    private LocalService(Process process, string name)
    {
        _process = process;
        _name = name;
    }

    public static LocalService Start(DirectoryPath folder, string name, bool aot, int port, Dictionary<string, string> environment)
    {
        EnsurePortIsFree(port);
        var start = new ProcessStartInfo(aot ? folder.CombineWithFilePath(name).FullPath : "dotnet");
        if (!aot)
        {
            start.ArgumentList.Add(folder.CombineWithFilePath(name + ".dll").FullPath);
        }
        start.ArgumentList.Add("--urls");
        start.ArgumentList.Add($"http://127.0.0.1:{port}");
        // No drain wait when the demo ends: nothing balances traffic to these processes.
        start.Environment["Shutdown__DrainDelay"] = "00:00:00";
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }
        return new LocalService(Process.Start(start), name);
    }

    public static void WaitUntilReady(HttpClient http, LocalService service, string url)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            if (service._process.HasExited)
            {
                throw new CakeException($"{service._name} exited with code {service._process.ExitCode} before it was ready (its log is above).");
            }
            try
            {
                using var ready = http.GetAsync(url + "/readyz").GetAwaiter().GetResult();
                if (ready.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            Thread.Sleep(100);
        }
        throw new CakeException($"{service._name} was not ready at {url}/readyz within 30 s.");
    }

    /// <summary>SIGTERM, as Kubernetes stops a pod, so the services shut down the way they do there.</summary>
    public void Stop()
    {
        if (_process.HasExited)
        {
            return;
        }
        using (var kill = Process.Start("kill", new[] { "-TERM", _process.Id.ToString() }))
        {
            kill.WaitForExit();
        }
        if (!_process.WaitForExit(15_000))
        {
            _process.Kill();
        }
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
        }
        _process.Dispose();
    }

    private static void EnsurePortIsFree(int port)
    {
        try
        {
            var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, port);
            listener.Start();
            listener.Stop();
        }
        catch (System.Net.Sockets.SocketException)
        {
            throw new CakeException($"Port {port} is in use; pass another with --server-port=<n> / --fetcher-port=<n>.");
        }
    }
}
