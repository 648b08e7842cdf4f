using CliWrap;
using MinikubeDemo.TestSupport;

namespace MinikubeDemo.Interop.Tests;

/// <summary>The course's Hono apps in bench/baseline/, run on Deno as the course runs them.</summary>
internal static class CourseBaseline
{
    public static async Task<ServiceProcess> StartAsync(string app, IReadOnlyDictionary<string, string> environment, CancellationToken cancellationToken)
    {
        var baseline = Path.Combine(RepositoryRoot.Path, "bench", "baseline");
        var deno = Path.Combine(baseline, "node_modules", ".bin", "deno");
        if (!File.Exists(deno))
        {
            Prerequisite.Missing($"Deno is not installed at {deno}: run `npm ci --prefix bench/baseline` (bench/run.sh does)");
        }
        var port = ServiceProcess.FreePort();
        var settings = new Dictionary<string, string>(environment)
        {
            ["HOST"] = "127.0.0.1",
            ["PORT"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["DENO_NO_UPDATE_CHECK"] = "1",
            ["NO_COLOR"] = "1",
        };
        var start = Cli.Wrap(deno).WithArguments(["run", "--allow-env", "--allow-net", "app-run.js"]).WithWorkingDirectory(Path.Combine(baseline, app))
            .WithEnvironmentVariables(settings.ToDictionary(pair => pair.Key, pair => (string?)pair.Value));
        return await ServiceProcess.StartAsync(start, port, cancellationToken);
    }
}
