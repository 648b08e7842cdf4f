using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;

namespace MinikubeDemo.TestSupport;

/// <summary>A service running as its own process on a free loopback port, stopped with SIGTERM as the kubelet does.</summary>
public sealed partial class ServiceProcess : IDisposable
{
    private const int Sigterm = 15;
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);

    private readonly List<string> _output = [];
    private readonly Task _outputRead;

    private ServiceProcess(Process process, Uri baseAddress, IEnumerable<string> outputSoFar)
    {
        Process = process;
        BaseAddress = baseAddress;
        _output.AddRange(outputSoFar);
        // Keep reading stdout, so that the service never blocks on a full pipe, and keep its lines.
        _outputRead = Task.Run(async () =>
        {
            try
            {
                while (await process.StandardOutput.ReadLineAsync() is { } line)
                {
                    lock (_output)
                    {
                        _output.Add(line);
                    }
                }
            }
            catch (ObjectDisposedException)
            {
                // Disposed with the process: nothing more to read.
            }
        });
    }

    public Process Process { get; }

    public Uri BaseAddress { get; }

    /// <summary>The lines the service wrote to standard output so far.</summary>
    public IReadOnlyList<string> OutputLines
    {
        get
        {
            lock (_output)
            {
                return [.. _output];
            }
        }
    }

    /// <summary>All of standard output, once the process has exited and its pipe is drained.</summary>
    public async Task<IReadOnlyList<string>> OutputAfterExitAsync(CancellationToken cancellationToken)
    {
        await Process.WaitForExitAsync(cancellationToken);
        await _outputRead.WaitAsync(cancellationToken);
        return OutputLines;
    }

    /// <summary>Waits until <paramref name="count"/> lines of standard output match, and returns the matching lines.</summary>
    public Task<List<string>> WaitForOutputAsync(Func<string, bool> match, int count, TimeSpan timeout) =>
        Eventually.UntilAsync(() => Task.FromResult(OutputLines.Where(match).ToList()), lines => lines.Count >= count, timeout,
            lines => $"{lines.Count} of {count} lines of standard output matched; it has:{Environment.NewLine}{string.Join(Environment.NewLine, OutputLines)}",
            pollInterval: TimeSpan.FromMilliseconds(20));

    /// <summary>
    /// Starts one of this repository's services from the build output that a project reference copies next to
    /// the tests, on a port the OS picks (it says which in its start-up log).
    /// </summary>
    public static async Task<ServiceProcess> StartDotnetAsync(string assemblyName, IReadOnlyDictionary<string, string> environment, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, assemblyName + ".dll"), "--urls", "http://127.0.0.1:0"]);
        var process = Launch(start, environment);
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(StartTimeout);
            var outputSoFar = new List<string>();
            while (await process.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
            {
                outputSoFar.Add(line);
                if (ListeningOn().Match(line) is { Success: true } match)
                {
                    return new ServiceProcess(process, new Uri(match.Groups["url"].Value), outputSoFar);
                }
            }
            throw new InvalidOperationException($"{assemblyName} exited with code {process.ExitCode} before it listened");
        }
        catch
        {
            Kill(process);
            throw;
        }
    }

    /// <summary>Starts any program told to listen on <paramref name="port"/> and waits until it answers HTTP there.</summary>
    public static async Task<ServiceProcess> StartAsync(ProcessStartInfo start, int port, IReadOnlyDictionary<string, string> environment, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(start);
        var process = Launch(start, environment);
        var service = new ServiceProcess(process, new Uri($"http://127.0.0.1:{port}"), []);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var stopwatch = Stopwatch.StartNew();
        while (true)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"{start.FileName} exited with code {process.ExitCode} before it answered on port {port}");
            }
            try
            {
                (await http.GetAsync(service.BaseAddress, cancellationToken)).Dispose();
                return service;
            }
            catch (HttpRequestException) when (stopwatch.Elapsed < StartTimeout)
            {
                await Task.Delay(100, cancellationToken);
            }
            catch
            {
                Kill(process);
                throw;
            }
        }
    }

    /// <summary>A loopback port that was free a moment ago, for programs that cannot be told to pick one.</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public void SendSigterm()
    {
        if (SendSignal(Process.Id, Sigterm) != 0)
        {
            throw new SocketException(Marshal.GetLastPInvokeError());
        }
    }

    public void Dispose()
    {
        Kill(Process);
    }

    private static Process Launch(ProcessStartInfo start, IReadOnlyDictionary<string, string> environment)
    {
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }
        var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {start.FileName}");
        process.ErrorDataReceived += (_, _) => { };
        process.BeginErrorReadLine();
        return process;
    }

    private static void Kill(Process process)
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
        }
        process.Dispose();
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int SendSignal(int pid, int signal);

    [GeneratedRegex(@"Now listening on: (?<url>http://127\.0\.0\.1:\d+)")]
    private static partial Regex ListeningOn();
}
