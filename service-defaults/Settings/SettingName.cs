namespace MinikubeDemo.ServiceDefaults.Settings;

/// <summary>How an error names a setting: as configuration and as an environment variable spell it.</summary>
public static class SettingName
{
    /// <summary><c>Upstream:BaseUrl</c> → <c>Upstream:BaseUrl (env Upstream__BaseUrl)</c>.</summary>
    public static string Of(string path) => $"{path} (env {path?.Replace(":", "__", StringComparison.Ordinal)})";

    /// <summary>A member of a settings class, which is named after its section: <c>UpstreamOptions</c> binds <c>Upstream</c>.</summary>
    public static string Of(Type settings, string member) => Of($"{settings?.Name[..^"Options".Length]}:{member}");
}
