using MinikubeDemo.ClusterTool.Cluster;
using Spectre.Console.Cli;

namespace MinikubeDemo.ClusterTool.Commands;

/// <summary>The tool's commands, as build.cake and a person run them, on a <see cref="ToolHost"/>.</summary>
internal static class ToolApp
{
    public static async Task<int> RunAsync(IReadOnlyList<string> args, ToolHost host, CancellationToken cancellationToken)
    {
        Type[] settings = [typeof(ClusterSettings), typeof(ImagesCommand.Settings), typeof(LocalCommand.Settings), typeof(VerifyCommand.Settings), typeof(ScaleCommand.Settings), typeof(WatchCommand.Settings)];
        if (UsageErrors.BadNumber(args, settings) is { } badNumber)
        {
            host.Console.MarkupLineInterpolated($"[red]{badNumber}.[/] See cluster-tool --help.");
            return UsageErrors.ExitCode;
        }

        var app = new CommandApp();
        app.Configure(config =>
        {
            config.SetApplicationName("cluster-tool");
            config.ConfigureConsole(host.Console);
            config.UseStrictParsing();
            config.SetExceptionHandler((exception, _) => UsageErrors.Handle(exception, host.Console));
            config.AddCommand<ImagesCommand>("images").WithData(host)
                .WithDescription("Build both images where the current context's cluster runs them (minikube, kind, k3d, k3s, Rancher Desktop, Docker Desktop), on every node.")
                .WithExample("images", "--cluster", "docker");
            config.AddCommand<DeployCommand>("deploy").WithData(host)
                .WithDescription("kubectl apply -f k8s/, restart the Deployments that already ran (the tag stays 1.0), and wait for both rollouts.");
            config.AddCommand<UndeployCommand>("undeploy").WithData(host)
                .WithDescription("kubectl delete -f k8s/.");
            config.AddCommand<ReachableCommand>("reachable").WithData(host)
                .WithDescription("Exit 0 when the current kubeconfig context reaches a cluster; else say why, and how to start one, and exit 1.");
            config.AddCommand<LocalCommand>("local").WithData(host)
                .WithDescription("The demo without a cluster: publish both services, run them as local processes, call both and stop them.");
            config.AddCommand<VerifyCommand>("verify").WithData(host)
                .WithDescription("Check the server Service's endpoints, the fetcher's exact reply, and chart which server pod answered.");
            config.AddCommand<WatchCommand>("watch").WithData(host)
                .WithDescription("Watch the Service's endpoints, the pods and the Deployment follow a scale or a deleted pod, with a trickle of requests and each pod's share.")
                .WithExample("watch", "--duration", "60");
            config.AddCommand<ScaleCommand>("scale").WithData(host)
                .WithDescription("Scale the server Deployment and watch the Service's endpoint list follow.")
                .WithExample("scale", "--replicas", "1");
        });

        return await app.RunAsync(args, cancellationToken);
    }
}
