using MinikubeDemo.ClusterTool.Cluster;
using MinikubeDemo.ClusterTool.Commands;

using var cancellation = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    // Let the running command stop cleanly instead of killing the process mid-request.
    e.Cancel = true;
    cancellation.Cancel();
};

return await ToolApp.RunAsync(args, ToolHost.FromEnvironment(), cancellation.Token);
