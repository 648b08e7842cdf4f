using MinikubeDemo.ClusterTool.Cluster;
using MinikubeDemo.ClusterTool.Commands;
using Spectre.Console;

namespace MinikubeDemo.Cluster.Tests.Steps;

/// <summary>How a command's end reads on the console and in its exit code: one line, never a stack trace.</summary>
public sealed class CommandOutcomeTests : IDisposable
{
    private readonly StringWriter output = new();

    private IAnsiConsole Console
    {
        get
        {
            var console = AnsiConsole.Create(new AnsiConsoleSettings
            {
                Ansi = AnsiSupport.No,
                ColorSystem = ColorSystemSupport.NoColors,
                Out = new AnsiConsoleOutput(output),
            });
            // Wide enough that no message wraps: each must be one line.
            console.Profile.Width = 1000;
            return console;
        }
    }

    [Fact]
    public async Task Ctrl_C_exits_130_saying_it_was_cancelled()
    {
        using var ctrlC = new CancellationTokenSource();

        var exitCode = await CommandOutcome.RunAsync(Console, async () =>
        {
            await ctrlC.CancelAsync();
            ctrlC.Token.ThrowIfCancellationRequested();
        }, ctrlC.Token);

        Assert.Equal(CommandOutcome.Cancelled, exitCode);
        Assert.Equal("Cancelled.", OneLine());
    }

    [Fact]
    public async Task A_request_timeout_is_a_failure_that_says_so()
    {
        var exitCode = await CommandOutcome.RunAsync(
            Console,
            () => throw new TaskCanceledException("The request was canceled due to the configured HttpClient.Timeout of 100 seconds elapsing.", new TimeoutException()),
            CancellationToken.None);

        Assert.Equal(CommandOutcome.Failed, exitCode);
        Assert.StartsWith("A request to the cluster timed out (The request was canceled due to the configured HttpClient.Timeout of 100 seconds elapsing)", OneLine(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_lost_connection_names_the_sockets_reason()
    {
        var exitCode = await CommandOutcome.RunAsync(
            Console,
            () => throw new HttpRequestException("An error occurred while sending the request.", new IOException("Connection refused (127.0.0.1:6443)")),
            CancellationToken.None);

        Assert.Equal(CommandOutcome.Failed, exitCode);
        Assert.StartsWith("Lost the connection to the cluster (Connection refused (127.0.0.1:6443))", OneLine(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_explained_failure_prints_its_message_only()
    {
        var exitCode = await CommandOutcome.RunAsync(Console, () => throw new ClusterToolException("Pod x is crash-looping."), CancellationToken.None);

        Assert.Equal(CommandOutcome.Failed, exitCode);
        Assert.Equal("Pod x is crash-looping.", OneLine());
    }

    [Fact]
    public async Task Success_exits_0_and_prints_nothing()
    {
        var exitCode = await CommandOutcome.RunAsync(Console, () => Task.CompletedTask, CancellationToken.None);

        Assert.Equal(CommandOutcome.Succeeded, exitCode);
        Assert.Empty(output.ToString());
    }

    public void Dispose() => output.Dispose();

    private string OneLine() => Assert.Single(output.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries));
}
