using MinikubeDemo.ClusterTool.Commands;
using Spectre.Console;
using Spectre.Console.Cli;

using var cancellation = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    // Let the running command stop cleanly instead of killing the process mid-request.
    e.Cancel = true;
    cancellation.Cancel();
};

// Logs (build.cake, CI) are not terminals: wrapping them at Spectre's fallback of 80 columns breaks the
// kubectl-style lines and the chart labels, so use COLUMNS when a shell sets it, else a wide line.
if (Console.IsOutputRedirected)
{
    AnsiConsole.Profile.Width = int.TryParse(Environment.GetEnvironmentVariable("COLUMNS"), out var columns) && columns > 0 ? columns : 160;
}

var app = new CommandApp();
app.Configure(config =>
{
    config.SetApplicationName("cluster-tool");
    config.AddCommand<WaitCommand>("wait")
        .WithDescription("Wait until both Deployments are rolled out and ready; name what is not, and why.");
    config.AddCommand<VerifyCommand>("verify")
        .WithDescription("Check the server Service's endpoints, the fetcher's exact reply, and chart which server pod answered.");
    config.AddCommand<ScaleCommand>("scale")
        .WithDescription("Scale the server Deployment and watch the Service's endpoint list follow.")
        .WithExample("scale", "--replicas", "1");
});

return await app.RunAsync(args, cancellation.Token);
