using System.Net;

namespace MinikubeDemo.ClusterTool.Cluster;

/// <summary>One reply from the fetcher, read through the API server's proxy to its Service, with the headers that say which server pod answered and where the fetcher connected.</summary>
internal sealed record FetcherReply(HttpStatusCode Status, string Body, string? UpstreamInstance, string? UpstreamAddress);
