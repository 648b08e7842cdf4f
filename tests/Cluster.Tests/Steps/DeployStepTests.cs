using MinikubeDemo.Cluster.Tests.Tool;
using MinikubeDemo.ClusterTool.Cluster;
using MinikubeDemo.ClusterTool.Deploy;
using MinikubeDemo.ClusterTool.Processes;
using MinikubeDemo.Contract;
using Spectre.Console.Testing;

namespace MinikubeDemo.Cluster.Tests.Steps;

/// <summary>Deploy against the fake API server and a fake kubectl: what it applies, where, and what it restarts.</summary>
public sealed class DeployStepTests : IDisposable
{
    private static readonly DateTimeOffset Now = new(2026, 12, 1, 20, 15, 30, TimeSpan.Zero);

    private readonly FakeProcessRunner kubectl = new();
    private readonly TestConsole console = new();

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    public void Dispose() => console.Dispose();

    [Fact]
    public async Task Applies_k8s_with_the_contexts_namespace_and_context_as_kubectl_would_choose_them()
    {
        await using var api = await FakeKubernetesApi.StartAsync(@namespace: "chapter");
        using var session = await ClusterSession.ConnectAsync(api.ContextConfiguration("minikube"), null, Cancellation);

        await Step(session).ApplyAsync(Cancellation);

        Assert.Equal("chapter", session.Namespace);
        Assert.Equal("kubectl apply -f k8s/ --context minikube --namespace chapter", kubectl.Commands[0]);
    }

    [Fact]
    public async Task Restarts_both_Deployments_that_already_ran_so_that_a_rebuilt_image_rolls_out()
    {
        await using var api = await FakeKubernetesApi.StartAsync();
        using var session = await ClusterSession.ConnectAsync(api.ContextConfiguration(), null, Cancellation);

        await Step(session).ApplyAsync(Cancellation);

        Assert.Equal(DemoContract.Apps.Select(app => app.Deployment), api.DeploymentPatches.Select(patch => patch.Deployment));
        Assert.All(api.DeploymentPatches, patch =>
        {
            Assert.Equal("""{"spec":{"template":{"metadata":{"annotations":{"kubectl.kubernetes.io/restartedAt":"2026-12-01T20:15:30.000Z"}}}}}""", patch.Body);
            Assert.StartsWith("application/strategic-merge-patch+json", patch.ContentType, StringComparison.Ordinal);
        });
    }

    [Fact]
    public async Task After_a_half_finished_deploy_the_Deployment_that_exists_is_restarted()
    {
        await using var api = await FakeKubernetesApi.StartAsync();
        api.MissingDeployments.Add(DemoContract.Fetcher.Deployment);
        using var session = await ClusterSession.ConnectAsync(api.ContextConfiguration(), null, Cancellation);

        await Step(session).ApplyAsync(Cancellation);

        Assert.Equal([DemoContract.Server.Deployment], api.DeploymentPatches.Select(patch => patch.Deployment));
    }

    [Fact]
    public async Task A_first_deploy_restarts_nothing()
    {
        await using var api = await FakeKubernetesApi.StartAsync();
        api.MissingDeployments.UnionWith(DemoContract.Apps.Select(app => app.Deployment));
        using var session = await ClusterSession.ConnectAsync(api.ContextConfiguration(), null, Cancellation);

        await Step(session).ApplyAsync(Cancellation);

        Assert.Empty(api.DeploymentPatches);
        Assert.Single(kubectl.Commands);
    }

    [Fact]
    public async Task Undeploy_deletes_what_k8s_holds_in_the_same_place_and_waits()
    {
        await using var api = await FakeKubernetesApi.StartAsync();
        using var session = await ClusterSession.ConnectAsync(api.ContextConfiguration("kind-chapter"), null, Cancellation);

        await Step(session).DeleteAsync(TimeSpan.FromSeconds(180), Cancellation);

        // kubectl waits by default, up to a week where a finalizer is stuck: bounded like every other wait.
        Assert.Equal(["kubectl delete -f k8s/ --context kind-chapter --namespace default --ignore-not-found --timeout=180s"], kubectl.Commands);
    }

    private DeployStep Step(ClusterSession session) =>
        new(new StepCommands(kubectl, console, RepositoryPaths.Root), console, new DemoCluster(session), session, new FixedTime(Now));

    private sealed class FixedTime(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
