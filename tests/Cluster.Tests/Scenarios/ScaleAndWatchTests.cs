using MinikubeDemo.Cluster.Tests.StandIn;
using MinikubeDemo.Contract;

namespace MinikubeDemo.Cluster.Tests.Scenarios;

/// <summary>The chapter's Figure 1 on a running demo: scale, watch while a pod goes, watch while a redeploy rolls.</summary>
public sealed class ScaleAndWatchTests
{
    [Fact]
    public async Task Scale_two_to_one_to_two_follows_the_endpoint_list()
    {
        await using var session = await DeployedAsync();

        var down = await session.RunAsync("scale", "--replicas", "1");
        Assert.True(down.ExitCode == 0, down.ToString());
        Assert.Contains($"{DemoContract.Server.Service} lists 1 ready endpoint, one for each ready replica", down.Output, StringComparison.Ordinal);
        Assert.Single(session.ServerPods());

        var up = await session.RunAsync("scale", "--replicas", "2");
        Assert.True(up.ExitCode == 0, up.ToString());
        Assert.Contains($"{DemoContract.Server.Service} lists 2 ready endpoints", up.Output, StringComparison.Ordinal);
        Assert.Equal(2, session.ServerPods().Count);
    }

    [Fact]
    public async Task Watch_while_a_pod_is_deleted_sees_the_endpoints_change_and_loses_no_request()
    {
        await using var session = await DeployedAsync();
        var deleted = session.ServerPods()[0];

        var watching = session.RunAsync("watch", "--duration", "10", "--rate", "20", "--expect-endpoint-change");
        await session.Cluster.UntilAsync(() => session.Cluster.Store.Watchers == 3, "the watch lists and watches");
        session.DeletePod(deleted);
        var run = await watching;

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains($"pod {deleted}: Terminating", run.Output, StringComparison.Ordinal);
        Assert.Matches(@"\d+ requests, \d+ answered, 0 failed", run.Output);
        Assert.Matches(@"endpoint list changes seen: [1-9]", run.Output);
    }

    [Fact]
    public async Task Watch_while_a_redeploy_rolls_both_Deployments_loses_no_request()
    {
        await using var session = await DeployedAsync();

        var watching = session.RunAsync("watch", "--duration", "10", "--rate", "20", "--expect-endpoint-change");
        await session.Cluster.UntilAsync(() => session.Cluster.Store.Watchers == 3, "the watch lists and watches");
        var redeploy = await session.RunAsync("deploy");
        var run = await watching;

        Assert.True(redeploy.ExitCode == 0, redeploy.ToString());
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Matches(@"\d+ requests, \d+ answered, 0 failed", run.Output);
    }

    [Fact]
    public async Task Watches_the_API_server_ends_at_once_are_made_again_a_second_later_and_still_see_the_pod_go()
    {
        await using var session = await DeployedAsync();
        session.Api.ExpiresWatches = true;
        var deleted = session.ServerPods()[0];
        int Watches() => session.Api.Requests.Count(request => request.Contains("watch=true", StringComparison.Ordinal));

        var watching = session.RunAsync("watch", "--duration", "3", "--rate", "20", "--expect-endpoint-change");
        await session.Cluster.UntilAsync(() => Watches() >= 3, "the watch lists and watches");
        session.DeletePod(deleted);
        var run = await watching;

        // Each list shows the state of its moment, so the pod may be seen going or already gone.
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Matches($"pod {deleted}: (Terminating|gone)", run.Output);
        Assert.Matches(@"a watch was started again \d+ times", run.Output);
        // Three watches made again once a second for three seconds are about a dozen; a loop without a pause makes thousands.
        Assert.InRange(Watches(), 3, 40);
    }

    [Fact]
    public async Task Watch_exits_1_when_requests_failed()
    {
        await using var session = await DeployedAsync();
        Assert.Equal(0, (await session.RunAsync("scale", "--replicas", "0")).ExitCode);

        var run = await session.RunAsync("watch", "--duration", "1", "--rate", "20");

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("request failed (502)", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Watch_asked_for_an_endpoint_change_exits_1_when_none_came()
    {
        await using var session = await DeployedAsync();

        var run = await session.RunAsync("watch", "--duration", "1", "--rate", "20", "--expect-endpoint-change");

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("endpoint list changes seen: 0", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Undeploy_removes_the_demo_and_a_deploy_afterwards_starts_it_again()
    {
        await using var session = await DeployedAsync();

        var undeploy = await session.RunAsync("undeploy");
        Assert.True(undeploy.ExitCode == 0, undeploy.ToString());
        Assert.Contains($"deployment.apps \"{DemoContract.Server.Deployment}\" deleted", undeploy.Output, StringComparison.Ordinal);
        await session.Cluster.UntilAsync(() => !session.Cluster.Store.List<k8s.Models.V1Pod>("pods").Any(), "every pod is gone");

        var again = await session.DotnetCakeAsync();
        Assert.True(again.ExitCode == 0, again.ToString());
        Assert.Contains($"deployment.apps/{DemoContract.Server.Deployment} created", again.Output, StringComparison.Ordinal);
    }

    private static async Task<StudentSession> DeployedAsync()
    {
        var session = await StudentSession.MinikubeAsync(runtime: "containerd");
        var first = await session.DotnetCakeAsync();
        Assert.True(first.ExitCode == 0, first.ToString());
        return session;
    }
}
