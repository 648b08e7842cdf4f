using System.Diagnostics;

namespace MinikubeDemo.TestSupport;

/// <summary>One run of a service's process to its exit, for start-ups that must fail: its exit code and both outputs.</summary>
public sealed record ServiceRun(int ExitCode, IReadOnlyList<string> Output, IReadOnlyList<string> Errors)
{
    private static readonly TimeSpan ExitTimeout = TimeSpan.FromSeconds(30);

    /// <summary>The listen settings a test environment might carry, which would change what a run is about.</summary>
    private static readonly string[] InheritedListenSettings = ["ASPNETCORE_URLS", "ASPNETCORE_HTTP_PORTS", "ASPNETCORE_HTTPS_PORTS", "DOTNET_URLS"];

    /// <summary>Everything the process wrote, both streams.</summary>
    public IEnumerable<string> AllLines => Output.Concat(Errors);

    /// <summary>
    /// Runs one of this repository's services from the build output a project reference copies next to the tests,
    /// with <paramref name="arguments"/> and <paramref name="environment"/>, until it exits.
    /// </summary>
    public static async Task<ServiceRun> ToExitAsync(string assemblyName, IReadOnlyList<string> arguments, IReadOnlyDictionary<string, string> environment, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        ArgumentNullException.ThrowIfNull(environment);
        var start = new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, assemblyName + ".dll"), .. arguments])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var name in InheritedListenSettings)
        {
            start.Environment.Remove(name);
        }
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {assemblyName}");
        var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var errors = process.StandardError.ReadToEndAsync(cancellationToken);
        try
        {
            await process.WaitForExitAsync(cancellationToken).WaitAsync(ExitTimeout, cancellationToken);
        }
        catch (TimeoutException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{assemblyName} was still running after {ExitTimeout.TotalSeconds} s: it started instead of refusing its configuration");
        }
        return new ServiceRun(process.ExitCode, Lines(await output), Lines(await errors));
    }

    private static string[] Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
}
