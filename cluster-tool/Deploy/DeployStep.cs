using System.Globalization;
using MinikubeDemo.ClusterTool.Cluster;
using MinikubeDemo.ClusterTool.Processes;
using MinikubeDemo.Contract;
using Spectre.Console;

namespace MinikubeDemo.ClusterTool.Deploy;

/// <summary>
/// Deploy and Undeploy: `kubectl apply -f k8s/` as the chapter runs it, then a restart of every Deployment that
/// already existed, because the image tag stays 1.0 and unchanged manifests would leave its pods on the
/// previous build. kubectl gets the same context and namespace as the API client.
/// </summary>
internal sealed class DeployStep(StepCommands commands, IAnsiConsole console, DemoCluster cluster, ClusterSession session, TimeProvider time)
{
    public const string ManifestFolder = "k8s/";

    public async Task ApplyAsync(CancellationToken cancellationToken)
    {
        // Each on its own: one existing and one missing (a half-finished earlier deploy) is the same as both existing for the one.
        var existing = new List<string>();
        foreach (var deployment in DemoContract.Apps.Select(app => app.Deployment))
        {
            if (await cluster.DeploymentExistsAsync(deployment, cancellationToken))
            {
                existing.Add(deployment);
            }
        }

        await commands.RunAsync("kubectl", ["apply", "-f", ManifestFolder, .. Target()], cancellationToken);
        foreach (var deployment in existing)
        {
            await cluster.RestartAsync(deployment, time.GetUtcNow(), cancellationToken);
            console.MarkupLineInterpolated($"deployment.apps/{deployment} restarted (so that its pods run the image just built)");
        }
    }

    /// <summary>Removes what k8s/ holds (not k8s/gateway-api/, which was applied on its own), waiting at most <paramref name="timeout"/>.</summary>
    public Task DeleteAsync(TimeSpan timeout, CancellationToken cancellationToken) =>
        commands.RunAsync("kubectl", ["delete", "-f", ManifestFolder, .. Target(), "--ignore-not-found",
            string.Create(CultureInfo.InvariantCulture, $"--timeout={timeout.TotalSeconds:0}s")], cancellationToken);

    private List<string> Target() =>
        session.Context is { } context ? ["--context", context, "--namespace", session.Namespace] : ["--namespace", session.Namespace];
}
