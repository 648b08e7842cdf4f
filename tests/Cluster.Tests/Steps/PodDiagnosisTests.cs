using k8s.Models;
using MinikubeDemo.ClusterTool.Steps;

namespace MinikubeDemo.Cluster.Tests.Steps;

public sealed class PodDiagnosisTests
{
    private const string PodName = "minikube-demo-server-deployment-694d46996b-h2gds";

    [Fact]
    public void A_crash_loop_is_a_hard_failure_described_with_its_exit_and_last_log_lines()
    {
        var pod = Pod(new V1ContainerStatus
        {
            Name = "minikube-demo-server",
            Image = "minikube-demo-server:1.0",
            RestartCount = 4,
            Ready = false,
            State = new V1ContainerState { Waiting = new V1ContainerStateWaiting { Reason = "CrashLoopBackOff" } },
            LastState = new V1ContainerState { Terminated = new V1ContainerStateTerminated { ExitCode = 139, Reason = "Error" } },
        });

        var problem = Assert.Single(PodDiagnosis.Diagnose([pod]));
        Assert.Equal(PodProblemKind.CrashLooping, problem.Kind);
        Assert.True(problem.IsHardFailure);
        Assert.Equal("minikube-demo-server", problem.Container);

        var message = PodDiagnosis.Describe(problem, ["Unhandled exception.", "System.IO.IOException: Read-only file system"]);
        Assert.Equal(
            string.Join(
                Environment.NewLine,
                $"Pod {PodName} is crash-looping: 4 restarts, last exit code 139 (Error). Its last log lines:",
                "  | Unhandled exception.",
                "  | System.IO.IOException: Read-only file system",
                "Fix the cause, rebuild the image (dotnet cake --target=Images) and redeploy (dotnet cake --target=Deploy)."),
            message);
    }

    [Fact]
    public void An_out_of_memory_kill_is_named()
    {
        var pod = Pod(new V1ContainerStatus
        {
            Name = "minikube-demo-server",
            RestartCount = 1,
            State = new V1ContainerState { Waiting = new V1ContainerStateWaiting { Reason = "CrashLoopBackOff" } },
            LastState = new V1ContainerState { Terminated = new V1ContainerStateTerminated { ExitCode = 137, Reason = "OOMKilled" } },
        });

        Assert.Equal("1 restart, last exit code 137 (OOMKilled)", Assert.Single(PodDiagnosis.Diagnose([pod])).Detail);
    }

    [Theory]
    [InlineData("ErrImageNeverPull")]
    [InlineData("InvalidImageName")]
    public void A_missing_image_says_to_build_it_into_the_cluster(string reason)
    {
        var pod = Pod(new V1ContainerStatus
        {
            Name = "minikube-demo-server",
            Image = "minikube-demo-server:1.0",
            State = new V1ContainerState { Waiting = new V1ContainerStateWaiting { Reason = reason } },
        });

        var problem = Assert.Single(PodDiagnosis.Diagnose([pod]));
        Assert.Equal(PodProblemKind.ImageMissing, problem.Kind);
        Assert.True(problem.IsHardFailure);

        var message = PodDiagnosis.Describe(problem, []);
        Assert.StartsWith($"Pod {PodName}: image minikube-demo-server:1.0 is not available ({reason}).", message, StringComparison.Ordinal);
        Assert.Contains("dotnet cake --target=Images", message, StringComparison.Ordinal);
    }

    /// <summary>
    /// What stops a wait at once: only what cannot heal by itself. kubectl's rollout status only warns on the
    /// others, and the kubelet retries them: a runtime hiccup (CreateContainerError, RunContainerError) or a
    /// registry that is not reachable yet.
    /// </summary>
    [Theory]
    [InlineData("ErrImageNeverPull", true)]
    [InlineData("InvalidImageName", true)]
    [InlineData("CrashLoopBackOff", true)]
    [InlineData("CreateContainerError", false)]
    [InlineData("RunContainerError", false)]
    [InlineData("ErrImagePull", false)]
    [InlineData("ImagePullBackOff", false)]
    public void Only_what_cannot_heal_by_itself_is_a_hard_failure(string reason, bool hard)
    {
        var pod = Pod(new V1ContainerStatus
        {
            Name = "minikube-demo-server",
            Image = "minikube-demo-server:1.0",
            State = new V1ContainerState { Waiting = new V1ContainerStateWaiting { Reason = reason, Message = "context deadline exceeded" } },
        });

        var problem = Assert.Single(PodDiagnosis.Diagnose([pod]));
        Assert.Equal(hard, problem.IsHardFailure);
        Assert.Contains(reason == "CrashLoopBackOff" ? "crash-looping" : reason, PodDiagnosis.Describe(problem, []), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("services have not yet been read at least once, cannot construct envvars", false)]
    [InlineData("configmap \"demo-settings\" not found", true)]
    [InlineData("secret \"demo-token\" not found", true)]
    [InlineData("couldn't find key greeting in ConfigMap default/demo-settings", true)]
    [InlineData("container has runAsNonRoot and image will run as root (pod: \"x_default(uid)\", container: minikube-demo-server)", true)]
    [InlineData("container's runAsUser breaks non-root policy (pod: \"x_default(uid)\", container: minikube-demo-server)", true)]
    public void A_configuration_error_stops_the_wait_only_when_the_kubelet_cannot_mend_it(string message, bool hard)
    {
        // pkg/kubelet/kubelet_pods.go makeEnvironmentVariables: a kubelet that has not read the Services yet succeeds
        // on a later sync; a missing ConfigMap, Secret or key, and root (the image's user or runAsUser 0) under runAsNonRoot, do not.
        var pod = Pod(new V1ContainerStatus
        {
            Name = "minikube-demo-server",
            Image = "minikube-demo-server:1.0",
            State = new V1ContainerState { Waiting = new V1ContainerStateWaiting { Reason = "CreateContainerConfigError", Message = message } },
        });

        var problem = Assert.Single(PodDiagnosis.Diagnose([pod]));
        Assert.Equal(hard, problem.IsHardFailure);
        Assert.Contains(message, PodDiagnosis.Describe(problem, []), StringComparison.Ordinal);
    }

    [Fact]
    public void An_unschedulable_pod_quotes_the_scheduler_and_is_worth_waiting_for()
    {
        var pod = Pod();
        pod.Status.Conditions = [new V1PodCondition { Type = "PodScheduled", Status = "False", Message = "0/1 nodes are available: 1 Insufficient memory." }];

        var problem = Assert.Single(PodDiagnosis.Diagnose([pod]));
        Assert.Equal(PodProblemKind.Unschedulable, problem.Kind);
        Assert.False(problem.IsHardFailure);
        Assert.Contains("0/1 nodes are available: 1 Insufficient memory.", PodDiagnosis.Describe(problem, []), StringComparison.Ordinal);
    }

    [Fact]
    public void A_running_pod_whose_readiness_fails_is_not_ready_but_not_a_hard_failure()
    {
        var pod = Pod(new V1ContainerStatus
        {
            Name = "minikube-demo-server",
            Ready = false,
            State = new V1ContainerState { Running = new V1ContainerStateRunning() },
        });

        var problem = Assert.Single(PodDiagnosis.Diagnose([pod]));
        Assert.Equal(PodProblemKind.NotReady, problem.Kind);
        Assert.False(problem.IsHardFailure);
    }

    [Fact]
    public void Healthy_and_terminating_pods_have_no_problems()
    {
        var healthy = Pod(new V1ContainerStatus { Name = "minikube-demo-server", Ready = true, State = new V1ContainerState { Running = new V1ContainerStateRunning() } });
        var terminating = Pod(new V1ContainerStatus
        {
            Name = "minikube-demo-server",
            State = new V1ContainerState { Waiting = new V1ContainerStateWaiting { Reason = "CrashLoopBackOff" } },
        });
        terminating.Metadata.DeletionTimestamp = DateTime.UtcNow;

        Assert.Empty(PodDiagnosis.Diagnose([healthy, terminating]));
    }

    private static V1Pod Pod(params V1ContainerStatus[] containers) => new()
    {
        Metadata = new V1ObjectMeta { Name = PodName },
        Status = new V1PodStatus { ContainerStatuses = containers },
    };
}
