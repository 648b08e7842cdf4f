using System.Globalization;
using System.Text.Json;
using CliWrap;
using MinikubeDemo.TestSupport;

namespace MinikubeDemo.Telemetry.Tests;

/// <summary>
/// A real Prometheus (Debian's package, 2.53 or later) on a loopback port, with its own configuration and data in a
/// temporary folder: it scrapes the given targets every second. (Debian builds it without its OTLP receiver, so the
/// OTLP test pushes to a receiver of its own.)
/// </summary>
public sealed class Prometheus : IDisposable
{
    private const string InstallHint = "apt-get install -t trixie --no-install-recommends prometheus (.ci/install.sh)";

    private readonly ServiceProcess _process;
    private readonly DirectoryInfo _folder;
    private readonly HttpClient _http;

    private Prometheus(ServiceProcess process, DirectoryInfo folder)
    {
        _process = process;
        _folder = folder;
        _http = new HttpClient { BaseAddress = process.BaseAddress, Timeout = TimeSpan.FromSeconds(10) };
    }

    /// <summary>The path of a Prometheus tool (<c>prometheus</c>, <c>promtool</c>); skips (fails in CI) where it is missing.</summary>
    public static string Tool(string name)
    {
        var found = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator)
            .Select(folder => Path.Combine(folder, name))
            .FirstOrDefault(File.Exists);
        if (found is null)
        {
            Prerequisite.Missing($"{name} is not installed: {InstallHint}");
        }
        return found!;
    }

    /// <summary>Starts Prometheus on <paramref name="port"/>, scraping each target (job name → service) every second.</summary>
    public static async Task<Prometheus> StartAsync(int port, IReadOnlyDictionary<string, Uri> scrapeTargets, CancellationToken cancellationToken)
    {
        var binary = Tool("prometheus");
        var folder = Directory.CreateTempSubdirectory("minikube-demo-prometheus-");
        var jobs = string.Concat(scrapeTargets.Select(target => $"""
              - job_name: {target.Key}
                static_configs:
                  - targets: ["{target.Value.Authority}"]

            """));
        var config = Path.Combine(folder.FullName, "prometheus.yml");
        await File.WriteAllTextAsync(config, $"""
            global:
              scrape_interval: 1s
              scrape_timeout: 1s
            scrape_configs:
            {jobs}
            """, cancellationToken);
        var start = Cli.Wrap(binary).WithArguments(
        [
            $"--config.file={config}",
            $"--storage.tsdb.path={Path.Combine(folder.FullName, "data")}",
            $"--web.listen-address=127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}",
        ]);
        try
        {
            return new Prometheus(await ServiceProcess.StartAsync(start, port, cancellationToken), folder);
        }
        catch
        {
            folder.Delete(recursive: true);
            throw;
        }
    }

    /// <summary>The value of an instant PromQL query whose result is one number, or null while it has none.</summary>
    public async Task<double?> ScalarAsync(string query, CancellationToken cancellationToken)
    {
        using var response = await _http.GetAsync($"/api/v1/query?query={Uri.EscapeDataString(query)}", cancellationToken);
        response.EnsureSuccessStatusCode();
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken));
        var result = body.RootElement.GetProperty("data").GetProperty("result");
        return result.GetArrayLength() == 0
            ? null
            : double.Parse(result[0].GetProperty("value")[1].GetString()!, CultureInfo.InvariantCulture);
    }

    /// <summary>Waits until <paramref name="query"/> is at least <paramref name="atLeast"/>.</summary>
    public Task<double?> EventuallyAtLeastAsync(string query, double atLeast, CancellationToken cancellationToken) =>
        Eventually.UntilAsync(() => ScalarAsync(query, cancellationToken), value => value >= atLeast, TimeSpan.FromSeconds(30),
            value => $"{query} is {value?.ToString(CultureInfo.InvariantCulture) ?? "empty"}, expected at least {atLeast}",
            pollInterval: TimeSpan.FromMilliseconds(500));

    public void Dispose()
    {
        _http.Dispose();
        _process.Dispose();
        _folder.Delete(recursive: true);
    }
}
