using System.Globalization;
using System.Net;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Options;
using MinikubeDemo.Contract;
using MinikubeDemo.ServiceDefaults.Logging;
using MinikubeDemo.ServiceDefaults.Settings;

namespace MinikubeDemo.ServiceDefaults.Hosting;

/// <summary>
/// Builds and runs a service so that bad configuration stops it with one line per problem on stderr and exit code 1,
/// not a stack trace and exit code 134; anything else still crashes. No line is read out of a framework's message.
/// </summary>
public static class ServiceHost
{
    public const int BadConfigurationExitCode = 1;

    /// <summary>Builds the app, lets <paramref name="configure"/> map it, runs it, and returns the exit code.</summary>
    public static int BuildAndRun(this WebApplicationBuilder builder, Action<WebApplication> configure)
    {
        // Values the binder could not convert, and listen addresses Kestrel would misread, before anything binds them.
        string[] problems = [.. SettingsCheck.Problems(builder), .. ListenAddresses.Problems(builder.Configuration)];
        if (problems.Length > 0)
        {
            return Refuse(builder, problems);
        }
        // The host logs a failed start, stack trace and all, before it rethrows; the lines below say it once instead.
        var started = false;
        builder.Logging.AddFilter("Microsoft.Extensions.Hosting.Internal.Host", level => level >= LogLevel.Information && (level != LogLevel.Error || Volatile.Read(ref started)));
        try
        {
            // Inside the try: the host resolves HostOptions (hence the validated drain delay) and the loggers as it is built.
            var app = builder.Build();
            app.Lifetime.ApplicationStarted.Register(() => Volatile.Write(ref started, true));
            configure(app);
            app.Run();
            return 0;
        }
        catch (Exception exception) when (Describe(exception, builder.Configuration) is { } lines)
        {
            return Refuse(builder, lines);
        }
    }

    /// <summary>The lines for an exception that means bad configuration, or null for anything else.</summary>
    public static IEnumerable<string>? Describe(Exception exception, IConfiguration configuration) => exception switch
    {
        // The settings' validators name the setting in each failure; ValidateOnStart throws one exception per type.
        OptionsValidationException validation => validation.Failures,
        AggregateException aggregate when aggregate.InnerExceptions.All(inner => inner is OptionsValidationException) =>
            aggregate.InnerExceptions.SelectMany(inner => ((OptionsValidationException)inner).Failures),
        // Kestrel, when another process holds the address (its message names the address): say where it came from.
        IOException { InnerException: AddressInUseException } when configuration[WebHostDefaults.ServerUrlsKey] is { Length: > 0 } urls =>
            [$"{exception.Message} The address comes from {ListenAddresses.UrlsSetting}, which is '{urls}'; another process listens there. " +
             $"Pick a free one, e.g. --urls http://127.0.0.1:{NextPort(Uri.TryCreate(urls, UriKind.Absolute, out var url) ? url.Port : 0)}."],
        IOException { InnerException: AddressInUseException } when configuration[WebHostDefaults.HttpPortsKey] is var ports =>
            [$"{exception.Message} The address comes from {ListenAddresses.HttpPortsSetting}, which is '{ports}'; another process listens there. " +
             $"Pick a free port, e.g. ASPNETCORE_HTTP_PORTS={NextPort(ports)}, or an address, e.g. --urls http://127.0.0.1:{NextPort(ports)}."],
        _ => null,
    };

    private static int NextPort(string? port) => NextPort(int.TryParse(port, NumberStyles.None, CultureInfo.InvariantCulture, out var number) ? number : 0);

    private static int NextPort(int port) => port is > 0 and < IPEndPoint.MaxPort ? port + 1 : DemoContract.Port + 1;

    private static int Refuse(WebApplicationBuilder builder, IEnumerable<string> problems)
    {
        // Straight to stderr, which is not buffered: a logger's queue could be lost as the process ends. Values come
        // from outside: a control character in one must not break the line or the terminal.
        Console.Error.Write(string.Concat(problems.Select(problem => $"{builder.Environment.ApplicationName}: {LogText.Escape(problem, maxLength: int.MaxValue)}\n")));
        return BadConfigurationExitCode;
    }
}
