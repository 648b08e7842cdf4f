using System.Globalization;
using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using MinikubeDemo.Contract;

namespace MinikubeDemo.ServiceDefaults.Hosting;

/// <summary>
/// Which exceptions out of building and starting a service mean that its configuration is wrong, and the lines
/// (one per problem) that say which setting, its value and what is expected. Anything else is not described,
/// so that it still crashes with its stack trace.
/// </summary>
public static partial class BadConfiguration
{
    /// <summary>The lines for a configuration error, or null when <paramref name="exception"/> is something else.</summary>
    public static IReadOnlyList<string>? Describe(Exception exception, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(exception);
        ArgumentNullException.ThrowIfNull(configuration);
        switch (exception)
        {
            // ValidateOnStart and IValidateOptions: the validators' own messages name the setting.
            case OptionsValidationException validation:
                return [.. validation.Failures.Select(OneLine)];
            // The start-up validator throws one of these per options type that failed.
            case AggregateException aggregate:
                var lines = new List<string>();
                foreach (var inner in aggregate.InnerExceptions)
                {
                    if (Describe(inner, configuration) is not { } innerLines)
                    {
                        return null;
                    }
                    lines.AddRange(innerLines);
                }
                return lines.Count > 0 ? lines : null;
            // The configuration binder, reflection or source-generated, for a value it cannot convert.
            case InvalidOperationException { InnerException: not null } when FailedConversion().Match(exception.Message) is { Success: true } match:
                var value = match.Groups["value"].Value;
                return [OneLine(NotConvertible(FullPath(match.Groups["path"].Value, value, configuration), value, match.Groups["type"].Value))];
            // Kestrel, when another process holds the address; its message names the address.
            case IOException { InnerException: AddressInUseException }:
                return [OneLine(AddressInUse(exception.Message, configuration))];
            default:
                return null;
        }
    }

    private static string NotConvertible(string path, string value, string type)
    {
        var (what, example) = type switch
        {
            "System.TimeSpan" => ("a duration", "hh:mm:ss, like 00:00:05"),
            "System.Int32" or "System.Int64" => ("a whole number", "something like 2"),
            "System.Double" or "System.Single" or "System.Decimal" => ("a number", "something like 0.5"),
            "System.Boolean" => ("true or false", null),
            _ => ($"a {type}", null),
        };
        return example is null
            ? $"{SettingName.Of(path)} is '{value}', which is not {what}."
            : $"{SettingName.Of(path)} is '{value}', which is not {what}; expected {example}.";
    }

    /// <summary>
    /// The binder names the path within the section it was given: the console logger binds
    /// <c>Logging:Console</c> as a root of its own, so its <c>FormatterOptions:SingleLine</c> is found here again.
    /// </summary>
    private static string FullPath(string path, string value, IConfiguration configuration)
    {
        if (configuration[path] == value)
        {
            return path;
        }
        var matches = configuration.AsEnumerable()
            .Where(setting => setting.Value == value && setting.Key.EndsWith(":" + path, StringComparison.OrdinalIgnoreCase))
            .Select(setting => setting.Key)
            .Take(2)
            .ToList();
        return matches.Count == 1 ? matches[0] : path;
    }

    private static string AddressInUse(string kestrelMessage, IConfiguration configuration)
    {
        // Say where the address came from, and suggest the port after it (urls, when set, wins over http_ports).
        var urls = configuration[WebHostDefaults.ServerUrlsKey];
        if (!string.IsNullOrEmpty(urls))
        {
            var next = Uri.TryCreate(urls, UriKind.Absolute, out var url) ? NextPort(url.Port) : DemoContract.Port + 1;
            return $"{kestrelMessage} The address comes from {ListenAddresses.UrlsSetting}, which is '{urls}'; another process listens there. " +
                   $"Pick a free one, e.g. --urls http://127.0.0.1:{next}.";
        }
        var ports = configuration[WebHostDefaults.HttpPortsKey];
        var nextPort = int.TryParse(ports, NumberStyles.None, CultureInfo.InvariantCulture, out var port) ? NextPort(port) : DemoContract.Port + 1;
        return $"{kestrelMessage} The address comes from {ListenAddresses.HttpPortsSetting}, which is '{ports}'; another process listens there. " +
               $"Pick a free port, e.g. ASPNETCORE_HTTP_PORTS={nextPort}, or an address, e.g. --urls http://127.0.0.1:{nextPort}.";
    }

    private static int NextPort(int port) => port is > 0 and < IPEndPoint.MaxPort ? port + 1 : DemoContract.Port + 1;

    /// <summary>Values come from outside: a control character in one must not break the line or the terminal.</summary>
    private static string OneLine(string text)
    {
        if (!text.Any(char.IsControl))
        {
            return text;
        }
        var line = new StringBuilder(text.Length + 16);
        foreach (var c in text)
        {
            _ = c switch
            {
                '\n' => line.Append("\\n"),
                '\r' => line.Append("\\r"),
                '\t' => line.Append("\\t"),
                _ when char.IsControl(c) => line.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:x4}"),
                _ => line.Append(c),
            };
        }
        return line.ToString();
    }

    // The binder's message, the same from the reflection binder (Error_FailedBinding) and the source generator.
    [GeneratedRegex(@"^Failed to convert configuration value '(?<value>.*)' at '(?<path>[^']*)' to type '(?<type>[^']*)'\.$", RegexOptions.Singleline)]
    private static partial Regex FailedConversion();
}
