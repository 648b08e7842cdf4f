using k8s.Models;
using MinikubeDemo.ClusterTool.Cluster;

namespace MinikubeDemo.ClusterTool.Steps;

/// <summary>
/// Watches the server's Deployment, its Service's EndpointSlices and its pods (three list-then-watch loops), and
/// hands on the whole view each time any of them changes. Drawing is the caller's.
/// </summary>
internal sealed class DemoWatch(DemoCluster cluster)
{
    private readonly Lock _gate = new();
    private DemoView _view = DemoView.Empty;
    private int _relists;

    /// <summary>How many times a watch ended and was started again from a fresh list.</summary>
    public int Relists => Volatile.Read(ref _relists);

    public DemoView View
    {
        get
        {
            lock (_gate)
            {
                return _view;
            }
        }
    }

    public Task RunAsync(Action<DemoView> changed, CancellationToken cancellationToken)
    {
        // Under the lock: two watches changing the view at once must also hand it on in the order they changed it.
        void Update(Func<DemoView, DemoView> change)
        {
            lock (_gate)
            {
                changed(_view = change(_view));
            }
        }

        void Relisted() => Interlocked.Increment(ref _relists);

        return Task.WhenAll(
            ListWatch.RunAsync(cluster.ListServerDeploymentAsync, cluster.WatchServerDeployment,
                deployments => Update(view => view with { Server = deployments.Count == 0 ? null : RolloutState.Of(DemoContract.Server.Deployment, deployments[0]) }), Relisted, cancellationToken),
            ListWatch.RunAsync(cluster.ListServerSlicesAsync, cluster.WatchServerSlices,
                slices => Update(view => view with { Endpoints = EndpointList.Entries(slices), EndpointsListed = true }), Relisted, cancellationToken),
            ListWatch.RunAsync(cluster.ListServerPodsAsync, cluster.WatchServerPods,
                pods => Update(view => view with { Pods = pods.Select(Describe).OrderBy(pod => pod.Name, StringComparer.Ordinal).ToList() }), Relisted, cancellationToken));
    }

    private static PodView Describe(V1Pod pod)
    {
        var state = pod.Metadata.DeletionTimestamp is not null ? "Terminating"
            : pod.Status?.Conditions?.Any(condition => condition is { Type: "Ready", Status: "True" }) == true ? "Ready"
            : pod.Status?.ContainerStatuses?.Select(status => status.State?.Waiting?.Reason).FirstOrDefault(reason => reason is not null)
              ?? pod.Status?.Phase ?? "Pending";
        return new PodView(pod.Metadata.Name, state, pod.Spec?.NodeName);
    }
}
