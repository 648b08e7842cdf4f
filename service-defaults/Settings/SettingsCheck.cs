using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace MinikubeDemo.ServiceDefaults.Settings;

/// <summary>
/// The settings sections a service binds, each value checked against its property's type before the host is built.
/// The configuration binder names a value it cannot convert only in its exception's message, so each value is parsed
/// here as the source-generated binder parses it instead, and one that does not parse is named.
/// </summary>
public static class SettingsCheck
{
    /// <summary>Checks the values of <paramref name="section"/>, which binds to <typeparamref name="TOptions"/>.</summary>
    public static void CheckSection<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicProperties)] TOptions>(
        this IHostApplicationBuilder builder, string section)
    {
        var sections = builder.Properties.TryGetValue(typeof(SettingsCheck), out var found) ? (List<Section>)found : [];
        builder.Properties[typeof(SettingsCheck)] = sections;
        sections.Add(new Section(section, typeof(TOptions)));
    }

    /// <summary>One line for each value of a checked section that its property's type cannot hold.</summary>
    public static IEnumerable<string> Problems(IHostApplicationBuilder builder)
    {
        var sections = builder.Properties.TryGetValue(typeof(SettingsCheck), out var found) ? (List<Section>)found : [];
        foreach (var section in sections)
        {
            var properties = section.Type.GetProperties();
            foreach (var setting in builder.Configuration.GetSection(section.Path).GetChildren())
            {
                // The binder matches names regardless of case, as here.
                if (setting.Value is { } value
                    && Array.Find(properties, property => string.Equals(property.Name, setting.Key, StringComparison.OrdinalIgnoreCase)) is { } property
                    && NotA(Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType, value) is { } expected)
                {
                    yield return $"{SettingName.Of(setting.Path)} is '{value}', which is not {expected}.";
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

    private sealed record Section(
        string Path,
        [param: DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicProperties)]
        [property: DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicProperties)]
        Type Type);
}
