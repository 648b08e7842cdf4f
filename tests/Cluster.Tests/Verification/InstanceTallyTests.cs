using MinikubeDemo.ClusterTool.Verification;

namespace MinikubeDemo.Cluster.Tests.Verification;

public sealed class InstanceTallyTests
{
    [Fact]
    public void Counts_each_pod_from_the_header_in_name_order_and_missing_headers_apart()
    {
        var tally = new InstanceTally();
        foreach (var header in new[] { "server-b", "server-a", "server-b", null, " ", "server-b" })
        {
            tally.Add(header);
        }

        Assert.Equal(6, tally.Total);
        Assert.Equal(
            [new(InstanceTally.NoHeader, 2), new("server-a", 1), new KeyValuePair<string, int>("server-b", 3)],
            tally.Counts);
    }

    [Fact]
    public void Ready_pods_that_answered_nothing_are_named()
    {
        var tally = new InstanceTally();
        tally.Add("server-a");

        Assert.Equal(["server-b", "server-c"], tally.Silent(["server-c", "server-a", "server-b"]));
    }
}
