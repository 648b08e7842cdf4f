namespace MinikubeDemo.ClusterTool.Cluster;

/// <summary>
/// Runs external programs. The steps only ever call programs through this, so that the tests can stand in for
/// docker, minikube, kind, k3d, k3s, nerdctl and kubectl, and see the exact commands each kind of cluster gets.
/// </summary>
internal interface IProcessRunner
{
    Task<ProcessResult> RunAsync(ProcessSpec spec, CancellationToken cancellationToken);
}
