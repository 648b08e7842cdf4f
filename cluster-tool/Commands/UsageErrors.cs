using System.Reflection;
using Spectre.Console.Cli;

namespace MinikubeDemo.ClusterTool.Commands;

/// <summary>A command line that cannot be run as given ends with one line naming the option, and exit code 2, as usage errors do.</summary>
internal static class UsageErrors
{
    public const int ExitCode = 2;

    /// <summary>
    /// Null when every number option of <paramref name="settingsTypes"/> given in <paramref name="args"/> is a number;
    /// else the line that names it. Spectre.Console.Cli's own conversion error does not name the option.
    /// </summary>
    public static string? BadNumber(IReadOnlyList<string> args, IEnumerable<Type> settingsTypes)
    {
        var numberOptions = settingsTypes
            .SelectMany(type => type.GetProperties())
            .Where(property => (Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType) == typeof(int))
            .SelectMany(property => property.GetCustomAttribute<CommandOptionAttribute>()?.LongNames ?? [])
            .Select(name => "--" + name)
            .ToHashSet(StringComparer.Ordinal);
        for (var i = 0; i < args.Count; i++)
        {
            var (option, value) = args[i].Split('=', 2) is [var name, var given] ? (name, given) : (args[i], i + 1 < args.Count ? args[i + 1] : "");
            if (numberOptions.Contains(option) && !int.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _))
            {
                return $"{option}: '{value}' is not a number";
            }
        }

        return null;
    }

    /// <summary>Spectre's parse and validation errors (unknown option, missing value, Validate()) as one line and exit code 2.</summary>
    public static int Handle(Exception exception, IAnsiConsole console)
    {
        if (exception is not CommandAppException usage)
        {
            return exception is OperationCanceledException ? CommandOutcome.Cancelled : throw exception;
        }

        console.MarkupLineInterpolated($"[red]{usage.Message.TrimEnd('.')}.[/] See cluster-tool --help.");
        return ExitCode;
    }
}
