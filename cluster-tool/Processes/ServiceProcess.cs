using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;

namespace MinikubeDemo.ClusterTool.Processes;

/// <summary>
/// One of the demo's services running as a process of its own, stopped with SIGTERM as the kubelet stops a pod:
/// what the Local command runs and what the tests start. Its output is read line by line as it comes.
/// </summary>
public sealed partial class ServiceProcess : IDisposable
{
    private const int Sigterm = 15;

    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);

    private readonly List<string> _output = [];
    private readonly List<string> _errors = [];
    private readonly Task _reading;
    private readonly Action<string>? _onLine;

    private ServiceProcess(Process process, Uri baseAddress, Action<string>? onLine)
    {
        Process = process;
        BaseAddress = baseAddress;
        _onLine = onLine;
        // Keep reading both pipes, so that the service never blocks on a full one, and keep the lines.
        _reading = Task.WhenAll(ReadAsync(process.StandardOutput, _output), ReadAsync(process.StandardError, _errors));
    }

    public Process Process { get; }

    public Uri BaseAddress { get; private set; }

    /// <summary>The lines the service wrote to standard output so far.</summary>
    public IReadOnlyList<string> OutputLines => Snapshot(_output);

    /// <summary>The lines the service wrote to standard error so far.</summary>
    public IReadOnlyList<string> ErrorLines => Snapshot(_errors);

    /// <summary>
    /// Starts a program that serves HTTP at <paramref name="baseAddress"/>; <paramref name="onLine"/> sees each line
    /// of its output as it comes. It is not waited for: see <see cref="WaitUntilAnswersAsync"/>.
    /// </summary>
    public static ServiceProcess Start(ProcessStartInfo start, Uri baseAddress, IReadOnlyDictionary<string, string> environment, Action<string>? onLine = null)
    {
        ArgumentNullException.ThrowIfNull(start);
        ArgumentNullException.ThrowIfNull(environment);
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {start.FileName}");
        return new ServiceProcess(process, baseAddress, onLine);
    }

    /// <summary>
    /// Starts one of this repository's services from the build output next to the caller, on a port the OS picks,
    /// and waits until its start-up log says where it listens.
    /// </summary>
    public static async Task<ServiceProcess> StartDotnetAsync(string assemblyName, IReadOnlyDictionary<string, string> environment, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, assemblyName + ".dll"), "--urls", "http://127.0.0.1:0"]);
        var service = Start(start, new Uri("http://127.0.0.1:0"), environment);
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(StartTimeout);
            while (!service.OutputLines.Any(line => ListeningOn().IsMatch(line)))
            {
                if (service.Process.HasExited)
                {
                    throw new InvalidOperationException($"{assemblyName} exited with code {service.Process.ExitCode} before it listened: {string.Join(Environment.NewLine, service.ErrorLines)}");
                }

                await Task.Delay(20, timeout.Token);
            }

            service.BaseAddress = new Uri(service.OutputLines.Select(line => ListeningOn().Match(line)).First(match => match.Success).Groups["url"].Value);
            return service;
        }
        catch
        {
            service.Dispose();
            throw;
        }
    }

    /// <summary>Starts any program told to listen on <paramref name="port"/> of the loopback and waits until it answers HTTP there.</summary>
    public static async Task<ServiceProcess> StartAsync(ProcessStartInfo start, int port, IReadOnlyDictionary<string, string> environment, CancellationToken cancellationToken)
    {
        var service = Start(start, new Uri($"http://127.0.0.1:{port}"), environment);
        try
        {
            await service.WaitUntilAnswersAsync("/", StartTimeout, cancellationToken);
            return service;
        }
        catch
        {
            service.Dispose();
            throw;
        }
    }

    /// <summary>Waits until <paramref name="path"/> answers 2xx; fails at once if the process exits first.</summary>
    public async Task WaitUntilAnswersAsync(string path, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var clock = Stopwatch.StartNew();
        while (true)
        {
            if (Process.HasExited)
            {
                throw new InvalidOperationException($"{Process.StartInfo.FileName} exited with code {Process.ExitCode} before it answered at {BaseAddress}");
            }

            try
            {
                using var response = await http.GetAsync(new Uri(BaseAddress, path), cancellationToken);
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
            {
                // Not listening yet.
            }

            if (clock.Elapsed >= timeout)
            {
                throw new TimeoutException($"{BaseAddress}{path.TrimStart('/')} did not answer within {timeout.TotalSeconds:0} s");
            }

            await Task.Delay(100, cancellationToken);
        }
    }

    /// <summary>All of the output, once the process has exited and its pipes are drained.</summary>
    public async Task<IReadOnlyList<string>> OutputAfterExitAsync(CancellationToken cancellationToken)
    {
        await Process.WaitForExitAsync(cancellationToken);
        await _reading.WaitAsync(cancellationToken);
        return OutputLines;
    }

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

    /// <summary>SIGTERM, as the kubelet stops a pod (where there are no signals, the process is killed).</summary>
    public void SendSigterm()
    {
        if (OperatingSystem.IsWindows())
        {
            Process.Kill(entireProcessTree: true);
            return;
        }

        if (SendSignal(Process.Id, Sigterm) != 0)
        {
            throw new SocketException(Marshal.GetLastPInvokeError());
        }
    }

    public void Dispose()
    {
        if (!Process.HasExited)
        {
            Process.Kill(entireProcessTree: true);
            Process.WaitForExit();
        }

        Process.Dispose();
    }

    private static IReadOnlyList<string> Snapshot(List<string> lines)
    {
        lock (lines)
        {
            return [.. lines];
        }
    }

    private async Task ReadAsync(StreamReader reader, List<string> lines)
    {
        try
        {
            while (await reader.ReadLineAsync() is { } line)
            {
                lock (lines)
                {
                    lines.Add(line);
                }

                _onLine?.Invoke(line);
            }
        }
        catch (ObjectDisposedException)
        {
            // Disposed with the process: nothing more to read.
        }
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int SendSignal(int pid, int signal);

    [GeneratedRegex(@"Now listening on: (?<url>http://127\.0\.0\.1:\d+)")]
    private static partial Regex ListeningOn();
}
