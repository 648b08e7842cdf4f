using System.Net;
using System.Net.Sockets;
using k8s.Models;

namespace MinikubeDemo.ClusterTool.Steps;

/// <summary>Reads a Service's EndpointSlices the way `kubectl get endpoints` presents them.</summary>
internal static class EndpointList
{
    /// <summary>kubectl shows at most this many endpoints, then "+ N more...".</summary>
    private const int KubectlShownEndpoints = 3;

    /// <summary>
    /// Every endpoint of the slices, once per "address:port" (in address order), with the pod and node it is on.
    /// A missing ready condition counts as ready, as the EndpointSlice API says consumers should read it.
    /// </summary>
    public static IReadOnlyList<EndpointEntry> Entries(IEnumerable<V1EndpointSlice> slices)
    {
        var entries = from slice in slices
                      let ports = (slice.Ports ?? []).Where(port => port.Port is not null).Select(port => port.Port!.Value).ToList()
                      from endpoint in slice.Endpoints ?? []
                      from address in endpoint.Addresses ?? []
                      from port in ports
                      select (Address: address, Port: port, Entry: new EndpointEntry(
                          FormatEndpoint(address, port),
                          endpoint.TargetRef is { Kind: "Pod" } pod ? pod.Name : null,
                          endpoint.NodeName,
                          endpoint.Conditions?.Ready != false));
        return entries
            .DistinctBy(entry => (entry.Address, entry.Port))
            .OrderBy(entry => AddressOrderKey(entry.Address), StringComparer.Ordinal)
            .ThenBy(entry => entry.Port)
            .Select(entry => entry.Entry)
            .ToList();
    }

    /// <summary>The "address:port" of every ready endpoint, in address order: what `kubectl get endpoints` lists.</summary>
    public static IReadOnlyList<string> ReadyEndpoints(IEnumerable<V1EndpointSlice> slices) =>
        Entries(slices).Where(entry => entry.Ready).Select(entry => entry.Endpoint).ToList();

    /// <summary>
    /// The ENDPOINTS column of `kubectl get endpoints` (printers.go formatEndpoints), except that only not-ready
    /// endpoints show as &lt;none&gt; too, where kubectl leaves the cell empty: an empty cell reads as a broken table.
    /// </summary>
    public static string FormatLikeKubectl(IReadOnlyList<string> endpoints)
    {
        if (endpoints.Count == 0)
        {
            return "<none>";
        }

        var shown = string.Join(',', endpoints.Take(KubectlShownEndpoints));
        return endpoints.Count > KubectlShownEndpoints
            ? $"{shown} + {endpoints.Count - KubectlShownEndpoints} more..."
            : shown;
    }

    /// <summary>The two lines `kubectl get endpoints SERVICE` prints.</summary>
    public static IReadOnlyList<string> KubectlTable(string service, IReadOnlyList<string> endpoints) =>
        Steps.KubectlTable.Format(["NAME", "ENDPOINTS"], [[service, FormatLikeKubectl(endpoints)]]);

    public static (bool Matches, string Message) Compare(string service, IReadOnlyList<string> readyEndpoints, string deployment, int readyReplicas)
    {
        if (readyEndpoints.Count == readyReplicas)
        {
            return (true, $"{service} lists {Count(readyEndpoints.Count, "ready endpoint")}, one for each ready replica of {deployment}.");
        }

        return (
            false,
            $"{service} lists {Count(readyEndpoints.Count, "ready endpoint")} but {deployment} has {Count(readyReplicas, "ready replica")}: " +
            "check that the Service's selector matches the pods' labels (kubectl get pods --show-labels) " +
            "and that its targetPort is the container's port.");
    }

    internal static string Count(int count, string noun) =>
        $"{count} {noun}{(count == 1 ? "" : "s")}";

    /// <summary>address:port as a socket's endpoint prints it, an IPv6 address in brackets.</summary>
    public static string FormatEndpoint(string address, int port) =>
        IPAddress.TryParse(address, out var ip) && ip.AddressFamily == AddressFamily.InterNetworkV6
            ? $"[{address}]:{port}"
            : $"{address}:{port}";

    // Hex of the address bytes sorts numerically within a family (so .9 comes before .12), IPv4 before IPv6.
    private static string AddressOrderKey(string address) =>
        IPAddress.TryParse(address, out var ip)
            ? $"{(int)ip.AddressFamily:D2}{Convert.ToHexString(ip.GetAddressBytes())}"
            : $"99{address}";
}
