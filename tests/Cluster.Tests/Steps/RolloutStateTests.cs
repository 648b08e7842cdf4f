using k8s.Models;
using MinikubeDemo.ClusterTool.Steps;

namespace MinikubeDemo.Cluster.Tests.Steps;

public sealed class RolloutCheckTests
{
    [Fact]
    public void A_rollout_is_complete_when_every_desired_replica_is_updated_ready_and_available()
    {
        var state = State(Deployment(desired: 2, updated: 2, ready: 2, available: 2, current: 2));

        Assert.True(state.Complete);
        Assert.Equal("2/2 ready, 2/2 updated", state.Summary);
    }

    [Fact]
    public void Old_pods_still_running_keep_the_rollout_incomplete()
    {
        var state = State(Deployment(desired: 2, updated: 2, ready: 2, available: 2, current: 3));

        Assert.False(state.Complete);
        Assert.Equal("2/2 ready, 2/2 updated, 1 old still running", state.Summary);
    }

    [Fact]
    public void A_spec_the_controller_has_not_seen_yet_is_not_rolled_out()
    {
        var deployment = Deployment(desired: 2, updated: 2, ready: 2, available: 2, current: 2);
        deployment.Metadata.Generation = 3;

        Assert.False(State(deployment).Complete);
    }

    [Fact]
    public void A_stalled_rollout_reports_the_deadline_message()
    {
        var deployment = Deployment(desired: 2, updated: 1, ready: 1, available: 1, current: 2);
        deployment.Status.Conditions =
        [
            new V1DeploymentCondition { Type = "Progressing", Status = "False", Reason = "ProgressDeadlineExceeded", Message = "ReplicaSet has timed out progressing." },
        ];

        var state = State(deployment);

        Assert.False(state.Complete);
        Assert.Equal("1/2 ready, 1/2 updated, 1 old still running; rollout stalled: ReplicaSet has timed out progressing.", state.Summary);
    }

    [Fact]
    public void Timeout_message_names_each_deployment_that_is_not_ready_and_how_to_deploy_a_missing_one()
    {
        var states = new[]
        {
            State(Deployment(desired: 2, updated: 2, ready: 1, available: 1, current: 2)),
            RolloutState.Of("minikube-demo-server-fetcher-deployment", null),
        };

        var message = RolloutState.NotReadyMessage(states, TimeSpan.FromSeconds(120));

        Assert.Equal(
            string.Join(
                Environment.NewLine,
                "Not ready after 120 s:",
                "  minikube-demo-server-deployment: 1/2 ready, 2/2 updated",
                "  minikube-demo-server-fetcher-deployment: not found",
                "Deploy first: dotnet cake --target=Deploy (it runs kubectl apply -f k8s/)."),
            message);
    }

    [Fact]
    public void Timeout_message_leaves_out_ready_deployments()
    {
        var states = new[]
        {
            State(Deployment(desired: 2, updated: 2, ready: 2, available: 2, current: 2)),
            State(Deployment(desired: 1, updated: 1, ready: 0, available: 0, current: 1, name: "minikube-demo-server-fetcher-deployment")),
        };

        var message = RolloutState.NotReadyMessage(states, TimeSpan.FromSeconds(30));

        Assert.DoesNotContain("minikube-demo-server-deployment:", message, StringComparison.Ordinal);
        Assert.Contains("minikube-demo-server-fetcher-deployment: 0/1 ready, 1/1 updated", message, StringComparison.Ordinal);
    }

    [Fact]
    public void Kubectl_table_lists_ready_up_to_date_and_available_like_kubectl_get_deployments()
    {
        var states = new[]
        {
            State(Deployment(desired: 2, updated: 2, ready: 2, available: 2, current: 2)),
            State(Deployment(desired: 1, updated: 1, ready: 1, available: 1, current: 1, name: "minikube-demo-server-fetcher-deployment")),
        };

        Assert.Equal(
            [
                "NAME                                      READY   UP-TO-DATE   AVAILABLE",
                "minikube-demo-server-deployment           2/2     2            2",
                "minikube-demo-server-fetcher-deployment   1/1     1            1",
            ],
            RolloutState.KubectlTable(states));
    }

    private static V1Deployment Deployment(int desired, int updated, int ready, int available, int current, string name = "minikube-demo-server-deployment") => new()
    {
        Metadata = new V1ObjectMeta { Name = name, Generation = 2 },
        Spec = new V1DeploymentSpec { Replicas = desired },
        Status = new V1DeploymentStatus
        {
            ObservedGeneration = 2,
            Replicas = current,
            UpdatedReplicas = updated,
            ReadyReplicas = ready,
            AvailableReplicas = available,
        },
    };

    private static RolloutState State(V1Deployment deployment) => RolloutState.Of(deployment.Metadata.Name, deployment);
}
