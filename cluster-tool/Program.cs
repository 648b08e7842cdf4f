using MinikubeDemo.ClusterTool.Commands;
using Spectre.Console;
using Spectre.Console.Cli;

using var cancellation = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    // Let the running command stop cleanly instead of killing the process mid-request.
    e.Cancel = true;
    cancellation.Cancel();
};

// Logs (build.cake, CI) are not terminals: wrapping them at Spectre's fallback of 80 columns breaks the
// kubectl-style lines, the chart labels and the services' log lines, so use COLUMNS when a shell sets it, else a wide line.
if (Console.IsOutputRedirected)
{
    AnsiConsole.Profile.Width = int.TryParse(Environment.GetEnvironmentVariable("COLUMNS"), out var columns) && columns > 0 ? columns : 512;
}

Type[] settings = [typeof(ImagesSettings), typeof(ClusterSettings), typeof(LocalSettings), typeof(VerifySettings), typeof(ScaleSettings), typeof(WatchSettings)];
if (UsageErrors.BadNumber(args, settings) is { } badNumber)
{
    AnsiConsole.MarkupLineInterpolated($"[red]{badNumber}.[/] See cluster-tool --help.");
    return UsageErrors.ExitCode;
}

var app = new CommandApp();
app.Configure(config =>
{
    config.SetApplicationName("cluster-tool");
    config.UseStrictParsing();
    config.SetExceptionHandler((exception, _) => UsageErrors.Handle(exception, AnsiConsole.Console));
    config.AddCommand<ImagesCommand>("images")
        .WithDescription("Build both images where the current context's cluster runs them (minikube, kind, k3d, k3s, Rancher Desktop, Docker Desktop), on every node.")
        .WithExample("images", "--cluster", "docker");
    config.AddCommand<DeployCommand>("deploy")
        .WithDescription("kubectl apply -f k8s/, restart the Deployments that already ran (the tag stays 1.0), and wait for both rollouts.");
    config.AddCommand<UndeployCommand>("undeploy")
        .WithDescription("kubectl delete -f k8s/.");
    config.AddCommand<ReachableCommand>("reachable")
        .WithDescription("Exit 0 when the current kubeconfig context reaches a cluster; else say why, and how to start one, and exit 1.");
    config.AddCommand<LocalCommand>("local")
        .WithDescription("The demo without a cluster: publish both services, run them as local processes, call both and stop them.");
    config.AddCommand<WaitCommand>("wait")
        .WithDescription("Wait until both Deployments are rolled out and ready; name what is not, and why.");
    config.AddCommand<VerifyCommand>("verify")
        .WithDescription("Check the server Service's endpoints, the fetcher's exact reply, and chart which server pod answered.");
    config.AddCommand<WatchCommand>("watch")
        .WithDescription("Watch the Service's endpoints, the pods and the Deployment follow a scale or a deleted pod, with a trickle of requests and each pod's share.")
        .WithExample("watch", "--duration", "60");
    config.AddCommand<ScaleCommand>("scale")
        .WithDescription("Scale the server Deployment and watch the Service's endpoint list follow.")
        .WithExample("scale", "--replicas", "1");
});

return await app.RunAsync(args, cancellation.Token);
