using System.Globalization;
using System.Net;

namespace MinikubeDemo.ServiceDefaults.Hosting;

/// <summary>Where the service listens, checked before the host is built: Kestrel takes <c>ASPNETCORE_HTTP_PORTS=notaport</c> as port 80.</summary>
public static class ListenAddresses
{
    public const string UrlsSetting = "urls (env ASPNETCORE_URLS, or --urls)";
    public const string HttpPortsSetting = "http_ports (env ASPNETCORE_HTTP_PORTS)";

    /// <summary>One line for each listen setting that is not what Kestrel can listen on, split as the host splits it.</summary>
    public static IEnumerable<string> Problems(IConfiguration configuration) => new[]
    {
        Check(UrlsSetting, configuration[WebHostDefaults.ServerUrlsKey], StringSplitOptions.RemoveEmptyEntries, IsListenUrl,
            "an address to listen on; expected http://HOST:PORT, like http://127.0.0.1:8000"),
        Check(HttpPortsSetting, configuration[WebHostDefaults.HttpPortsKey], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries, IsPort,
            "a port number; expected one like 8000"),
    }.OfType<string>();

    private static string? Check(string setting, string? value, StringSplitOptions split, Func<string, bool> isValid, string expected)
    {
        var entries = value?.Split(';', split) ?? [];
        return entries.FirstOrDefault(entry => !isValid(entry)) is not { } bad ? null
            : entries.Length == 1 ? $"{setting} is '{value}', which is not {expected} (several separated by ';')."
            : $"{setting} is '{value}', and '{bad}' in it is not {expected} (several separated by ';').";
    }

    private static bool IsPort(string entry) =>
        int.TryParse(entry, NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port <= IPEndPoint.MaxPort;

    private static bool IsListenUrl(string entry)
    {
        try
        {
            var address = BindingAddress.Parse(entry);
            // BindingAddress takes "http://*:notaport" as host "*:notaport" on port 80: a colon left in the host (other
            // than in a bracketed IPv6 address) is a port that did not parse.
            return address.Scheme is "http" or "https" && address.PathBase.Length == 0 && (address.IsUnixPipe
                || ((!address.Host.Contains(':', StringComparison.Ordinal) || address.Host.StartsWith('[')) && address.Port is >= 0 and <= IPEndPoint.MaxPort));
        }
        catch (FormatException)
        {
            return false;
        }
    }
}
