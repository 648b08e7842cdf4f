// The demo's pipeline: `dotnet tool restore && dotnet cake` runs the default target. `dotnet cake --description`
// lists the targets, `--tree` shows which runs which, `--target=Help` lists the arguments. Each target is one call:
// into `dotnet`, or into the cluster tool (cluster-tool/), where every cluster step lives and is tested.
var target = Argument("target", "Default");
var configuration = Argument("configuration", "Release");

// The cluster tool's options, passed on only when given, so that its defaults hold (the namespace of the kubeconfig
// context, as kubectl picks it; 180 s; 300 requests; the cluster kind told from the context).
var arguments = new (string Name, string Default, string Description)[]
{
    ("target", "Default", "What to run: `dotnet cake --description` lists the targets."),
    ("configuration", "Release", "Build and Test: the build configuration."),
    ("server-port", "8000", "Local: the server's port (the course's 8000)."),
    ("fetcher-port", "8001", "Local: the fetcher's port; it calls the server on server-port."),
    ("aot", "false", "Local: publish Native AOT binaries, as in the images (a minute or two each)."),
    ("cluster", "from the kubectl context", "Images: minikube, kind, k3d, k3s, rancher-desktop, docker-desktop, or docker (this Docker engine only)."),
    ("build-in", "host, where it has Docker", "Images on minikube: host (docker build here, then load) or node (minikube image build in every node)."),
    ("namespace", "the kubectl context's", "Deploy, Verify, Scale, Watch, Undeploy: the namespace the demo runs in."),
    ("timeout", "180", "Deploy, Verify, Scale, Undeploy: seconds to wait for rollouts, endpoints and deletions."),
    ("requests", "300", "Verify: requests sent through the fetcher for the per-pod chart."),
    ("replicas", "2", "Scale: server replicas to scale to (the chapter's 2; try 1)."),
    ("duration", "until Ctrl+C", "Watch: seconds to watch."),
    ("rate", "4", "Watch: requests a second through the fetcher."),
    ("expect-endpoint-change", "off", "Watch: fail unless the Service's endpoint list changed while watching."),
    ("smoke", "off", "Bench: a short check instead of the full run."),
    ("rounds", "3", "Bench: rounds of the full run."),
};

// A switch given bare (--aot) is on; Cake's Argument(name, false) reads a bare switch as false.
bool Switch(string name) => HasArgument(name) && Argument(name, true);

string Passed(params string[] names) =>
    string.Concat(names.Where(name => HasArgument(name)).Select(name => $" --{name} {new ProcessArgumentBuilder().AppendQuoted(Argument<string>(name)).Render()}"));

Task("Help")
    .Description("Lists the arguments and their defaults (the targets: dotnet cake --description).")
    .Does(() =>
{
    Say("Arguments (--name=value); the targets are listed by `dotnet cake --description`, their order by `dotnet cake --tree`:");
    foreach (var (name, value, description) in arguments)
    {
        Say($"  --{name,-14} {description} Default: {value}.");
    }
});

Task("Build")
    .Description("Builds every project; warnings are errors.")
    .Does(() => DotNetBuild("MinikubeDemo.slnx", new DotNetBuildSettings { Configuration = configuration }));

Task("Test")
    .Description("Runs every test tier with `dotnet test`, the README's test command.")
    .Does(() => Run("dotnet", "test"));

// Default runs Images, Deploy and Verify where the kubectl context reaches a cluster, else Local; the cluster tool says
// which, and how to start minikube when there is none. Asked once, when Default first needs to know.
var runsDefault = target.Equals("Default", StringComparison.OrdinalIgnoreCase);
var clusterAnswers = new Lazy<bool>(() =>
{
    // 0: a cluster answers; 1: none does (the tool said why); anything else, such as refused credentials, is a
    // cluster that needs mending, not a reason to run without one.
    var exitCode = ClusterToolExitCode("reachable");
    if (exitCode is not (0 or 1))
    {
        throw new CakeException(exitCode, $"cluster-tool reachable exited with code {exitCode}.");
    }

    Say(exitCode == 0 ? "A cluster answers: Images, Deploy, Verify." : "Running Local: the demo without a cluster.");
    return exitCode == 0;
});
bool OnCluster() => !runsDefault || clusterAnswers.Value;

Task("Local")
    .WithCriteria(() => !runsDefault || !clusterAnswers.Value)
    .Description("The demo without a cluster: publishes both services, runs them as local processes, calls both and stops them.")
    .Does(() => ClusterTool("local" + Passed("server-port", "fetcher-port") + (Switch("aot") ? " --aot" : "")));

Task("Images")
    .WithCriteria(OnCluster)
    .Description("Builds both images where the cluster runs them, on every node: minikube, kind, k3d, k3s, Rancher Desktop, Docker Desktop.")
    .Does(() => ClusterTool("images" + Passed("cluster", "build-in")));

Task("Deploy")
    .WithCriteria(OnCluster)
    .Description("kubectl apply -f k8s/, restarts the Deployments that already ran (the tag stays 1.0), waits for both rollouts.")
    .Does(() => ClusterTool("deploy" + Passed("namespace", "timeout")));

Task("Verify")
    .WithCriteria(OnCluster)
    .Description("Checks the endpoints against the ready replicas, waits for cluster DNS, checks the fetcher's exact reply and charts which server pod answered.")
    .Does(() => ClusterTool("verify" + Passed("namespace", "timeout", "requests")));

Task("Scale")
    .Description("Scales the server to --replicas=N and shows the Service's endpoint list follow.")
    .Does(() => ClusterTool($"scale --replicas {Argument("replicas", 2)}" + Passed("namespace", "timeout")));

Task("Watch")
    .Description("Figure 1, live: the server's endpoints, pods and Deployment as they change, with a trickle of requests and each pod's share, until Ctrl+C or --duration; fails if a request failed.")
    .Does(() => ClusterTool("watch" + Passed("namespace", "duration", "rate") + (Switch("expect-endpoint-change") ? " --expect-endpoint-change" : "")));

Task("Undeploy")
    .Description("kubectl delete -f k8s/: removes everything Deploy created (not k8s/gateway-api/, which is applied on its own).")
    .Does(() => ClusterTool("undeploy" + Passed("namespace", "timeout")));

Task("Bench")
    .Description("bench/run.sh: this server and fetcher against the course's Hono on Deno, Go and nginx, on loopback; writes bench/results.md and its chart.")
    .Does(() => Run("bash", "bench/run.sh" + (Switch("smoke") ? " --smoke" : "") + (HasArgument("rounds") ? $" --rounds {Argument<int>("rounds")}" : "")));

Task("Default")
    .Description("Images, Deploy and Verify when the kubectl context reaches a cluster; otherwise Local.")
    .IsDependentOn("Images")
    .IsDependentOn("Deploy")
    .IsDependentOn("Verify")
    .IsDependentOn("Local");

if (!Tasks.Any(task => task.Name.Equals(target, StringComparison.OrdinalIgnoreCase)))
{
    System.Console.Error.WriteLine($"There is no target '{target}': `dotnet cake --description` lists the targets, `dotnet cake --target=Help` the arguments.");
    System.Environment.Exit(2);
}

try
{
    RunTarget(target);
}
catch (CakeReportException failure) when (failure.InnerException is CakeException failed)
{
    // The program that failed has said why, and Cake which task failed: end with its exit code, not a third message.
    System.Environment.Exit(failed.ExitCode);
}

/// <summary>
/// One line of the script's own, plain: Cake colours its log whenever TERM looks like a terminal, even into a pipe
/// or a file (NO_COLOR=1 turns that off for Cake's own lines too).
/// </summary>
void Say(string line) => System.Console.WriteLine(line);

/// <summary>Runs a program in the foreground, its output straight to the console; a failure ends the target with its exit code.</summary>
void Run(string tool, string commandLine)
{
    var exitCode = StartProcess(tool, new ProcessSettings { Arguments = commandLine });
    if (exitCode != 0)
    {
        throw new CakeException(exitCode, $"{tool} exited with code {exitCode}.");
    }
}

string clusterToolAssembly;

/// <summary>The cluster tool, built once per run into artifacts/ (its steps say what they do as they do it).</summary>
string ClusterToolAssembly()
{
    if (clusterToolAssembly is null)
    {
        var output = MakeAbsolute(Directory("artifacts/cluster-tool"));
        clusterToolAssembly = output.CombineWithFilePath("minikube-demo-cluster-tool.dll").FullPath;
        // A build with nothing changed takes seconds; only the first restores packages and compiles everything.
        Say(FileExists(clusterToolAssembly) ? "Building the cluster tool..." : "Building the cluster tool (the first build restores packages and takes a minute)...");
        DotNetBuild("cluster-tool/MinikubeDemo.ClusterTool.csproj", new DotNetBuildSettings
        {
            Configuration = configuration,
            OutputDirectory = output,
            Verbosity = DotNetVerbosity.Quiet,
            NoLogo = true,
        });
    }

    return clusterToolAssembly;
}

int ClusterToolExitCode(string commandLine) =>
    StartProcess("dotnet", new ProcessSettings { Arguments = $"\"{ClusterToolAssembly()}\" {commandLine}" });

void ClusterTool(string commandLine)
{
    var exitCode = ClusterToolExitCode(commandLine);
    if (exitCode != 0)
    {
        throw new CakeException(exitCode, $"cluster-tool {commandLine} exited with code {exitCode}.");
    }
}
