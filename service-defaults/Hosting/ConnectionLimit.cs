using Microsoft.AspNetCore.Hosting;

namespace MinikubeDemo.ServiceDefaults.Hosting;

/// <summary>
/// Kestrel takes any number of connections by default, and each idle keep-alive one keeps about 10 KiB of live
/// heap. In a pod the runtime caps the GC heap at 75 % of the memory limit (96 MiB of the manifests' 128 Mi), so
/// about 10,000 idle connections are enough to exhaust it. Past this limit Kestrel closes new connections at once,
/// which bounds what they can hold to about 35 MiB and leaves room for the garbage a flood of refused ones makes
/// (measured: bench/TUNING.md); a pod with a slice of a core could not serve that many callers anyway, and a
/// Service spreads more of them over more replicas.
/// </summary>
internal static class ConnectionLimit
{
    public const long MaxConcurrentConnections = 3_000;

    public static void LimitConnectionsForASmallPod(this IWebHostBuilder webHost) =>
        webHost.ConfigureKestrel(kestrel => kestrel.Limits.MaxConcurrentConnections = MaxConcurrentConnections);
}
