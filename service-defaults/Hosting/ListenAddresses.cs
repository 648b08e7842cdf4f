using System.Globalization;
using System.Net;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace MinikubeDemo.ServiceDefaults.Hosting;

/// <summary>
/// Where the service listens, as the host reads it (<c>urls</c> wins over <c>http_ports</c>/<c>https_ports</c>).
/// Kestrel takes <c>ASPNETCORE_HTTP_PORTS=notaport</c> as port 80 of every interface, so the values are
/// checked at start, with the other settings.
/// </summary>
internal sealed class ListenAddresses
{
    public const string UrlsSetting = "urls (env ASPNETCORE_URLS, or --urls)";
    public const string HttpPortsSetting = "http_ports (env ASPNETCORE_HTTP_PORTS)";
    public const string HttpsPortsSetting = "https_ports (env ASPNETCORE_HTTPS_PORTS)";

    // WebHostDefaults.ServerUrlsKey, HttpPortsKey and HttpsPortsKey, which are not constants.
    [ConfigurationKeyName("urls")]
    public string? Urls { get; set; }

    [ConfigurationKeyName("http_ports")]
    public string? HttpPorts { get; set; }

    [ConfigurationKeyName("https_ports")]
    public string? HttpsPorts { get; set; }

    public static void AddValidation(IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<ListenAddresses>().Bind(configuration).ValidateOnStart();
        services.AddSingleton<IValidateOptions<ListenAddresses>, Validator>();
    }

    private sealed class Validator : IValidateOptions<ListenAddresses>
    {
        public ValidateOptionsResult Validate(string? name, ListenAddresses options)
        {
            var failures = new List<string>();
            // Split as the host splits them (GenericWebHostService, then Kestrel's AddressBinder).
            CheckEach(failures, UrlsSetting, options.Urls, StringSplitOptions.RemoveEmptyEntries, IsListenUrl,
                "an address to listen on; expected http://HOST:PORT, like http://127.0.0.1:8000");
            CheckEach(failures, HttpPortsSetting, options.HttpPorts, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries, IsPort,
                "a port number; expected one like 8000");
            CheckEach(failures, HttpsPortsSetting, options.HttpsPorts, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries, IsPort,
                "a port number; expected one like 8443");
            return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
        }

        private static void CheckEach(List<string> failures, string setting, string? value, StringSplitOptions split, Func<string, bool> isValid, string expected)
        {
            if (string.IsNullOrEmpty(value))
            {
                return;
            }
            var entries = value.Split(';', split);
            if (entries.FirstOrDefault(entry => !isValid(entry)) is { } bad)
            {
                failures.Add(entries.Length == 1
                    ? $"{setting} is '{value}', which is not {expected} (several separated by ';')."
                    : $"{setting} is '{value}', and '{bad}' in it is not {expected} (several separated by ';').");
            }
        }

        private static bool IsPort(string entry) =>
            int.TryParse(entry, NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port <= IPEndPoint.MaxPort;

        private static bool IsListenUrl(string entry)
        {
            BindingAddress address;
            try
            {
                address = BindingAddress.Parse(entry);
            }
            catch (FormatException)
            {
                return false;
            }
            if (address.Scheme is not ("http" or "https") || address.PathBase.Length > 0)
            {
                return false;
            }
            // BindingAddress takes "http://*:notaport" as host "*:notaport" on port 80: a colon left in the host
            // (other than in a bracketed IPv6 address) is a port that did not parse.
            return address.IsUnixPipe
                || ((!address.Host.Contains(':', StringComparison.Ordinal) || address.Host.StartsWith('['))
                    && address.Port is >= 0 and <= IPEndPoint.MaxPort);
        }
    }
}
