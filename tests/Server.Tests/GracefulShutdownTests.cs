using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;

namespace MinikubeDemo.Server.Tests;

/// <summary>
/// The real thing: the server as its own process on a free loopback port, stopped with SIGTERM as the
/// kubelet stops a container.
/// </summary>
public sealed partial class GracefulShutdownTests
{
    private static readonly TimeSpan DrainDelay = TimeSpan.FromSeconds(1.5);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task On_sigterm_it_turns_unready_at_once_keeps_serving_through_the_drain_then_exits()
    {
        using var server = await ServerProcess.StartAsync(DrainDelay, Ct);
        using var client = new HttpClient { BaseAddress = server.BaseAddress };
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/readyz", Ct)).StatusCode);

        var stopwatch = Stopwatch.StartNew();
        server.SendSigterm();

        // Not ready at once...
        await WaitUntilAsync(async () => (await client.GetAsync("/readyz", Ct)).StatusCode == HttpStatusCode.ServiceUnavailable,
            TimeSpan.FromSeconds(1));
        // ...but still serving, and telling keep-alive clients to go elsewhere.
        using var during = await client.GetAsync("/", Ct);
        Assert.Equal(HttpStatusCode.OK, during.StatusCode);
        Assert.True(during.Headers.ConnectionClose);
        Assert.True(stopwatch.Elapsed < DrainDelay, $"the checks during the drain took {stopwatch.Elapsed}, longer than the drain");

        await server.Process.WaitForExitAsync(Ct).WaitAsync(DrainDelay + TimeSpan.FromSeconds(5), Ct);
        Assert.True(stopwatch.Elapsed >= DrainDelay, $"exited after {stopwatch.Elapsed}, before the {DrainDelay} drain delay");
        Assert.Equal(0, server.Process.ExitCode);
        await Assert.ThrowsAsync<HttpRequestException>(() => client.GetAsync("/", Ct));
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition, TimeSpan timeout)
    {
        var deadline = Stopwatch.StartNew();
        while (!await condition())
        {
            Assert.True(deadline.Elapsed < timeout, $"condition not met within {timeout}");
            await Task.Delay(20, Ct);
        }
    }

    private sealed partial class ServerProcess : IDisposable
    {
        private ServerProcess(Process process, Uri baseAddress)
        {
            Process = process;
            BaseAddress = baseAddress;
        }

        public Process Process { get; }

        public Uri BaseAddress { get; }

        public static async Task<ServerProcess> StartAsync(TimeSpan drainDelay, CancellationToken cancellationToken)
        {
            // The server's build output is copied next to the tests by the project reference.
            var serverDll = Path.Combine(AppContext.BaseDirectory, "minikube-demo-server.dll");
            var start = new ProcessStartInfo("dotnet", [serverDll, "--urls", "http://127.0.0.1:0"])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                Environment = { ["Shutdown__DrainDelay"] = drainDelay.ToString("c") },
            };
            var process = Process.Start(start) ?? throw new InvalidOperationException("could not start the server");
            process.ErrorDataReceived += (_, _) => { };
            process.BeginErrorReadLine();
            try
            {
                // Port 0 lets the OS pick a free port; the server says which in its start-up log.
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                timeout.CancelAfter(TimeSpan.FromSeconds(30));
                while (await process.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
                {
                    if (ListeningOn().Match(line) is { Success: true } match)
                    {
                        // Keep draining stdout so that the server never blocks on a full pipe.
                        _ = process.StandardOutput.BaseStream.CopyToAsync(Stream.Null, CancellationToken.None);
                        return new ServerProcess(process, new Uri(match.Groups["url"].Value));
                    }
                }
                throw new InvalidOperationException("the server exited before it listened");
            }
            catch
            {
                process.Kill();
                process.Dispose();
                throw;
            }
        }

        public void SendSigterm()
        {
            if (Kill(Process.Id, Sigterm) != 0)
            {
                throw new SocketException(Marshal.GetLastPInvokeError());
            }
        }

        public void Dispose()
        {
            if (!Process.HasExited)
            {
                Process.Kill();
            }
            Process.Dispose();
        }

        private const int Sigterm = 15;

        [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
        private static partial int Kill(int pid, int signal);

        [GeneratedRegex(@"Now listening on: (?<url>http://127\.0\.0\.1:\d+)")]
        private static partial Regex ListeningOn();
    }
}
