using CliWrap;
using CliWrap.Buffered;

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
        var variables = InheritedListenSettings.ToDictionary(name => name, _ => (string?)null);
        foreach (var (key, value) in environment)
        {
            variables[key] = value;
        }

        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(ExitTimeout);
        try
        {
            var result = await Cli.Wrap("dotnet")
                .WithArguments([Path.Combine(AppContext.BaseDirectory, assemblyName + ".dll"), .. arguments])
                .WithEnvironmentVariables(variables)
                .WithValidation(CommandResultValidation.None)
                .ExecuteBufferedAsync(limit.Token);
            return new ServiceRun(result.ExitCode, Lines(result.StandardOutput), Lines(result.StandardError));
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"{assemblyName} was still running after {ExitTimeout.TotalSeconds} s: it started instead of refusing its configuration");
        }
    }

    private static string[] Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
}
