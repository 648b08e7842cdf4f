using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace MinikubeDemo.ServiceDefaults.Hosting;

/// <summary>
/// Builds and runs a service so that bad configuration stops it with one line per problem on stderr and exit
/// code 1, instead of an unhandled exception, its stack trace and exit code 134. Anything else still crashes.
/// </summary>
public static class ServiceHost
{
    public const int BadConfigurationExitCode = 1;

    private const string HostCategory = "Microsoft.Extensions.Hosting.Internal.Host";

    /// <summary>Builds the app, lets <paramref name="configure"/> map it, runs it, and returns the exit code.</summary>
    public static int BuildAndRun(this WebApplicationBuilder builder, Action<WebApplication> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);

        // The host logs a failed start, stack trace and all, before it rethrows; what follows says it once: the
        // lines below, or the runtime's report of anything else. Its category only logs debug steps besides.
        var starting = new StartWindow();
        builder.Logging.AddFilter(HostCategory, level => level >= LogLevel.Information && !(level == LogLevel.Error && starting.IsOpen));
        try
        {
            // Inside the try: the host resolves HostOptions (hence the drain delay) and the loggers as it is built.
            var app = builder.Build();
            app.Lifetime.ApplicationStarted.Register(starting.Close);
            configure(app);
            app.Run();
            return 0;
        }
        catch (Exception exception) when (BadConfiguration.Describe(exception, builder.Configuration) is { } problems)
        {
            // Straight to stderr, which is not buffered: a logger's queue could be lost as the process ends.
            foreach (var problem in problems)
            {
                Console.Error.WriteLine($"{builder.Environment.ApplicationName}: {problem}");
            }
            return BadConfigurationExitCode;
        }
    }

    private sealed class StartWindow
    {
        private volatile bool _open = true;

        public bool IsOpen => _open;

        public void Close() => _open = false;
    }
}
