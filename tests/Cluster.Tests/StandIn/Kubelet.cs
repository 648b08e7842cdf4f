using k8s.Models;

namespace MinikubeDemo.Cluster.Tests.StandIn;

/// <summary>
/// The scheduler and each node's kubelet, for the demo's pods: placed on the node with the fewest of their app's pods
/// (the manifests' soft topology spread); started from the node's own image store (imagePullPolicy: Never); through
/// ContainerCreating, Running and Ready; crash loops with back-off; and stopped after the app's drain.
/// </summary>
internal static class Kubelet
{
    /// <summary>A started container is ready once its readiness probe first passes: the manifests probe every 3 s.</summary>
    public const int ReadyAfter = 2;

    /// <summary>
    /// After a failed sync the kubelet's pod worker retries after about 10 s (pkg/kubelet/pod_workers.go completeWork,
    /// backOffPeriod in kubelet.go): so does a pod whose image was missing or whose configuration could not be made.
    /// </summary>
    public const int RetryAfter = 10;

    /// <summary>The apps keep serving this long after SIGTERM (Shutdown__DrainDelay's 5 s), then exit.</summary>
    public const int DrainSeconds = 5;

    public static void Sync(SimCluster cluster)
    {
        foreach (var pod in cluster.Store.List<V1Pod>("pods"))
        {
            pod.Spec.NodeName ??= Place(cluster, pod);
            if (!cluster.Runtimes.TryGetValue(pod.Metadata.Uid, out var runtime))
            {
                runtime = cluster.Runtimes[pod.Metadata.Uid] = new PodRuntime { NextSync = cluster.Now + 1 };
            }

            if (pod.Metadata.DeletionTimestamp is not null)
            {
                // A running app drains for its delay after SIGTERM, answering all the while; anything else stops at once.
                runtime.ExitsAt ??= cluster.Now + (runtime.Running ? DrainSeconds : 0);
                if (cluster.Now >= runtime.ExitsAt)
                {
                    cluster.Store.Remove("pods", pod.Metadata.NamespaceProperty, pod.Metadata.Name);
                    cluster.Runtimes.Remove(pod.Metadata.Uid);
                    continue;
                }
            }
            else if (cluster.Now >= runtime.NextSync)
            {
                SyncPod(cluster, pod, runtime);
            }

            pod.Status = Status(cluster, pod, runtime);
            cluster.Store.Put("pods", pod);
        }
    }

    private static void SyncPod(SimCluster cluster, V1Pod pod, PodRuntime runtime)
    {
        var node = cluster.Nodes.Single(node => node.Name == pod.Spec.NodeName);
        var container = pod.Spec.Containers[0];
        if (runtime.Running)
        {
            return;
        }

        // pkg/kubelet/images/image_manager.go EnsureImageExists: with pull policy Never the image must be on the node,
        // and the kubelet looks again at every sync.
        if (node.Images.Find(container.Image) is not { } image)
        {
            runtime.WaitingReason = "ErrImageNeverPull";
            runtime.WaitingMessage = $"Container image \"{container.Image}\" is not present with pull policy of Never";
            runtime.NextSync = cluster.Now + RetryAfter;
            return;
        }

        if (!cluster.ServicesRead)
        {
            runtime.WaitingReason = "CreateContainerConfigError";
            runtime.WaitingMessage = "services have not yet been read at least once, cannot construct envvars";
            runtime.NextSync = cluster.Now + RetryAfter;
            return;
        }

        runtime.Image = image;
        runtime.Address ??= cluster.NewPodAddress();
        runtime.WaitingReason = runtime.WaitingMessage = null;
        if (image.Build.Crashes)
        {
            // The app exits as it starts, within the sync: CrashLoopBackOff until the back-off has passed, then it is
            // started again (kuberuntime_manager.go doBackOff).
            runtime.Restarts++;
            runtime.WaitingReason = "CrashLoopBackOff";
            runtime.WaitingMessage = $"back-off {runtime.BackOff}s restarting failed container={container.Name} pod={pod.Metadata.Name}_{pod.Metadata.NamespaceProperty}({pod.Metadata.Uid})";
            runtime.NextSync = cluster.Now + runtime.BackOff;
            runtime.BackOff = Math.Min(runtime.BackOff * 2, 300);
            return;
        }

        runtime.RunningSince = cluster.Now;
    }

    /// <summary>The pod's status as pkg/kubelet/kubelet_pods.go (convertToAPIContainerStatuses) and status/generate.go report it.</summary>
    private static V1PodStatus Status(SimCluster cluster, V1Pod pod, PodRuntime runtime)
    {
        var ready = runtime.Ready(cluster.Now);
        var container = pod.Spec.Containers[0];
        var status = new V1ContainerStatus
        {
            Name = container.Name,
            Image = container.Image,
            ImageID = runtime.Image?.Id ?? "",
            Ready = ready,
            RestartCount = runtime.Restarts,
            State = runtime.Running
                ? new V1ContainerState { Running = new V1ContainerStateRunning() }
                : new V1ContainerState { Waiting = new V1ContainerStateWaiting { Reason = runtime.WaitingReason, Message = runtime.WaitingMessage } },
            LastState = runtime.Restarts > 0 ? new V1ContainerState { Terminated = new V1ContainerStateTerminated { ExitCode = 1, Reason = "Error" } } : null,
        };
        return new V1PodStatus
        {
            // A crash-looping pod stays Running (restartPolicy Always); a pod never started is Pending.
            Phase = runtime.Image is null ? "Pending" : "Running",
            PodIP = runtime.Address,
            PodIPs = runtime.Address is null ? null : [new V1PodIP { Ip = runtime.Address }],
            Conditions =
            [
                new V1PodCondition { Type = "PodScheduled", Status = "True" },
                new V1PodCondition { Type = "Ready", Status = ready ? "True" : "False" },
            ],
            ContainerStatuses = [status],
        };
    }

    private static string Place(SimCluster cluster, V1Pod pod)
    {
        var app = SimCluster.Label(pod.Metadata.Labels, "app");
        var pods = cluster.Store.List<V1Pod>("pods").Where(other => SimCluster.Label(other.Metadata.Labels, "app") == app && other.Spec.NodeName is not null).ToList();
        return cluster.Nodes.MinBy(node => pods.Count(other => other.Spec.NodeName == node.Name))!.Name;
    }
}
