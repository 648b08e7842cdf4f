using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;
using CliWrap;

namespace MinikubeDemo.TestSupport;

/// <summary>
/// A program that serves HTTP, running as a process of its own for a test (one of the demo's services, the course's
/// Hono apps, Prometheus), stopped with SIGTERM as the kubelet stops a pod. Its output is kept line by line as it comes.
/// </summary>
public sealed partial class ServiceProcess : IDisposable
{
    private const int Sigterm = 15;

    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);

    private readonly List<string> _output = [];
    private readonly List<string> _errors = [];
    private readonly CancellationTokenSource _kill = new();
    private readonly CommandTask<CommandResult> _running;

    private ServiceProcess(Command command, Uri baseAddress)
    {
        BaseAddress = baseAddress;
        _running = command
            .WithStandardOutputPipe(PipeTarget.ToDelegate(line => Keep(_output, line)))
            .WithStandardErrorPipe(PipeTarget.ToDelegate(line => Keep(_errors, line)))
            .WithValidation(CommandResultValidation.None)
            .ExecuteAsync(_kill.Token);
    }

    public Uri BaseAddress { get; private set; }

    /// <summary>The lines the program wrote to standard output so far.</summary>
    public IReadOnlyList<string> OutputLines => Snapshot(_output);

    /// <summary>The lines the program wrote to standard error so far.</summary>
    public IReadOnlyList<string> ErrorLines => Snapshot(_errors);

    public bool HasExited => _running.Task.IsCompleted;

    /// <summary>
    /// Starts one of this repository's services from the build output a project reference copies next to the tests,
    /// on a port the OS picks, and waits until its start-up log says where it listens.
    /// </summary>
    public static async Task<ServiceProcess> StartDotnetAsync(string assemblyName, IReadOnlyDictionary<string, string> environment, CancellationToken cancellationToken)
    {
        var command = Cli.Wrap("dotnet")
            .WithArguments([Path.Combine(AppContext.BaseDirectory, assemblyName + ".dll"), "--urls", "http://127.0.0.1:0"])
            .WithEnvironmentVariables(environment.ToDictionary(pair => pair.Key, pair => (string?)pair.Value));
        var service = new ServiceProcess(command, new Uri("http://127.0.0.1:0"));
        try
        {
            var listening = await Eventually.UntilAsync(
                () => Task.FromResult((Exited: service.HasExited, Url: service.OutputLines.Select(line => ListeningOn().Match(line)).FirstOrDefault(match => match.Success)?.Groups["url"].Value)),
                seen => seen.Exited || seen.Url is not null, StartTimeout,
                _ => $"{assemblyName} did not say where it listens: {string.Join(Environment.NewLine, service.OutputLines)}", TimeSpan.FromMilliseconds(20));
            if (listening.Url is null)
            {
                throw new InvalidOperationException($"{assemblyName} exited with code {await service.WaitForExitAsync(cancellationToken)} before it listened: {string.Join(Environment.NewLine, service.ErrorLines)}");
            }

            service.BaseAddress = new Uri(listening.Url);
            return service;
        }
        catch
        {
            service.Dispose();
            throw;
        }
    }

    /// <summary>Starts a program told to listen on <paramref name="port"/> of the loopback, and waits until it answers HTTP there.</summary>
    public static async Task<ServiceProcess> StartAsync(Command command, int port, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        var service = new ServiceProcess(command, new Uri($"http://127.0.0.1:{port}"));
        try
        {
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
            await Eventually.UntilAsync(
                async () =>
                {
                    try
                    {
                        using var response = await http.GetAsync(service.BaseAddress, cancellationToken);
                        return (service.HasExited, Answered: response.IsSuccessStatusCode);
                    }
                    catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
                    {
                        // Not listening yet.
                        return (service.HasExited, Answered: false);
                    }
                },
                seen => seen.HasExited || seen.Answered, StartTimeout,
                _ => $"{command.TargetFilePath} did not answer at {service.BaseAddress}", TimeSpan.FromMilliseconds(100));
            if (service.HasExited)
            {
                throw new InvalidOperationException($"{command.TargetFilePath} exited with code {await service.WaitForExitAsync(cancellationToken)} before it answered: {string.Join(Environment.NewLine, service.ErrorLines)}");
            }

            return service;
        }
        catch
        {
            service.Dispose();
            throw;
        }
    }

    /// <summary>SIGTERM, as the kubelet stops a pod.</summary>
    public void SendSigterm()
    {
        if (SendSignal(_running.ProcessId, Sigterm) != 0)
        {
            throw new SocketException(Marshal.GetLastPInvokeError());
        }
    }

    /// <summary>SIGKILL: the process dies at once, as a node that fails.</summary>
    public void Kill() => _kill.Cancel();

    /// <summary>Its exit code, once it has exited and its output is all read.</summary>
    public async Task<int> WaitForExitAsync(CancellationToken cancellationToken)
    {
        try
        {
            return (await _running.Task.WaitAsync(cancellationToken)).ExitCode;
        }
        catch (OperationCanceledException) when (_kill.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            return 128 + 9;
        }
    }

    /// <summary>All of the output, once the process has exited and its pipes are drained.</summary>
    public async Task<IReadOnlyList<string>> OutputAfterExitAsync(CancellationToken cancellationToken)
    {
        await WaitForExitAsync(cancellationToken);
        return OutputLines;
    }

    /// <summary>Waits until <paramref name="count"/> lines of standard output match, and returns the matching lines.</summary>
    public Task<List<string>> WaitForOutputAsync(Func<string, bool> match, int count, TimeSpan timeout) =>
        Eventually.UntilAsync(() => Task.FromResult(OutputLines.Where(match).ToList()), lines => lines.Count >= count, timeout,
            lines => $"{lines.Count} of {count} lines of standard output matched; it has:{Environment.NewLine}{string.Join(Environment.NewLine, OutputLines)}",
            pollInterval: TimeSpan.FromMilliseconds(20));

    /// <summary>A loopback port that was free a moment ago, for programs that cannot be told to pick one.</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Whether nothing listens on the loopback port.</summary>
    public static bool IsFree(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    public void Dispose()
    {
        _kill.Cancel();
        _running.Task.ContinueWith(_ => { }, TaskScheduler.Default).Wait();
        _kill.Dispose();
    }

    private static void Keep(List<string> lines, string line)
    {
        lock (lines)
        {
            lines.Add(line);
        }
    }

    private static IReadOnlyList<string> Snapshot(List<string> lines)
    {
        lock (lines)
        {
            return [.. lines];
        }
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int SendSignal(int pid, int signal);

    [GeneratedRegex(@"Now listening on: (?<url>http://127\.0\.0\.1:\d+)")]
    private static partial Regex ListeningOn();
}
