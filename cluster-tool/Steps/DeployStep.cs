using MinikubeDemo.ClusterTool.Cluster;

namespace MinikubeDemo.ClusterTool.Steps;

/// <summary>
/// Deploy and Undeploy: `kubectl apply -f k8s/` as the chapter runs it, then a restart of every Deployment that
/// already existed, because the image tag stays 1.0 and unchanged manifests would leave its pods on the previous
/// build. kubectl gets the kubeconfig files, context and namespace the API client uses.
/// </summary>
internal sealed class DeployStep(ToolHost host, ClusterConnection connection)
{
    public const string ManifestFolder = "k8s/";

    private readonly StepCommands _kubectl = new(host, new Dictionary<string, string?>
    {
        ["KUBECONFIG"] = connection.KubeconfigFiles.Count > 0 ? string.Join(Path.PathSeparator, connection.KubeconfigFiles) : null,
    });

    private readonly DemoCluster _cluster = new(connection);

    public async Task ApplyAsync(CancellationToken cancellationToken)
    {
        // Each on its own: one existing and one missing (a half-finished earlier deploy) is the same as both existing for the one.
        var existing = new List<string>();
        foreach (var deployment in DemoContract.Apps.Select(app => app.Deployment))
        {
            if (await _cluster.ReadDeploymentAsync(deployment, cancellationToken) is not null)
            {
                existing.Add(deployment);
            }
        }

        await _kubectl.RunAsync("kubectl", ["apply", "-f", ManifestFolder, .. Target()], cancellationToken);
        foreach (var deployment in existing)
        {
            await _cluster.RestartAsync(deployment, host.Time.GetUtcNow(), cancellationToken);
            host.Console.MarkupLineInterpolated($"deployment.apps/{deployment} restarted (so that its pods run the image just built)");
        }
    }

    /// <summary>Removes what k8s/ holds (not k8s/gateway-api/, which was applied on its own), waiting at most <paramref name="timeout"/>.</summary>
    public Task DeleteAsync(TimeSpan timeout, CancellationToken cancellationToken) =>
        _kubectl.RunAsync("kubectl", ["delete", "-f", ManifestFolder, .. Target(), "--ignore-not-found",
            $"--timeout={timeout.TotalSeconds:0}s"], cancellationToken);

    private List<string> Target() =>
        connection.Context is { } context ? ["--context", context, "--namespace", connection.Namespace] : ["--namespace", connection.Namespace];
}
