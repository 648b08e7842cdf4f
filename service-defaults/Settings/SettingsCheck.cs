using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace MinikubeDemo.ServiceDefaults.Settings;

/// <summary>
/// Each value of the settings sections a service binds, parsed as the source-generated binder parses it before the host
/// is built: the binder names a value it cannot convert only in its exception's message.
/// </summary>
public static class SettingsCheck
{
    /// <summary>Checks the values of <paramref name="section"/>, which binds to <typeparamref name="TOptions"/>.</summary>
    public static void CheckSection<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicProperties)] TOptions>(
        this IHostApplicationBuilder builder, string section)
    {
        builder.Properties[typeof(SettingsCheck)] = Sections(builder).Append(new Section(section, typeof(TOptions))).ToList();
    }

    /// <summary><c>Upstream:BaseUrl</c> → <c>Upstream:BaseUrl (env Upstream__BaseUrl)</c>: as configuration and the environment spell it.</summary>
    public static string NameOf(string path) => $"{path} (env {path?.Replace(":", "__", StringComparison.Ordinal)})";

    /// <summary>A member of a settings class, which is named after its section: <c>UpstreamOptions</c> binds <c>Upstream</c>.</summary>
    public static string NameOf(Type settings, string member) => NameOf($"{settings?.Name[..^"Options".Length]}:{member}");

    /// <summary>One line for each value of a checked section that its property's type cannot hold.</summary>
    public static IEnumerable<string> Problems(IHostApplicationBuilder builder)
    {
        foreach (var section in Sections(builder))
        {
            var properties = section.Type.GetProperties();
            foreach (var setting in builder.Configuration.GetSection(section.Path).GetChildren())
            {
                // The binder matches names regardless of case, as here.
                if (setting.Value is { } value
                    && Array.Find(properties, property => string.Equals(property.Name, setting.Key, StringComparison.OrdinalIgnoreCase)) is { } property
                    && NotA(Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType, value) is { } expected)
                {
                    yield return $"{NameOf(setting.Path)} is '{value}', which is not {expected}.";
                }
            }
        }
    }

    /// <summary>What <paramref name="value"/> should have been, or null when it parses.</summary>
    private static string? NotA(Type type, string value) => type switch
    {
        _ when type == typeof(TimeSpan) => TimeSpan.TryParse(value, CultureInfo.InvariantCulture, out _) ? null : "a duration; expected hh:mm:ss, like 00:00:05",
        _ when type == typeof(int) => int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out _) ? null : "a whole number; expected something like 2",
        _ when type == typeof(double) => double.TryParse(value, NumberStyles.Float | NumberStyles.AllowThousands, CultureInfo.InvariantCulture, out _) ? null : "a number; expected something like 0.5",
        _ when type == typeof(bool) => bool.TryParse(value, out _) ? null : "true or false",
        _ when type.IsEnum => Enum.TryParse(type, value, ignoreCase: true, out _) ? null : $"one of {string.Join(", ", Enum.GetNames(type))}",
        _ => null,
    };

    private static List<Section> Sections(IHostApplicationBuilder builder) =>
        builder.Properties.TryGetValue(typeof(SettingsCheck), out var sections) ? (List<Section>)sections : [];

    private sealed record Section(
        string Path,
        [param: DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicProperties)]
        [property: DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicProperties)]
        Type Type);
}
