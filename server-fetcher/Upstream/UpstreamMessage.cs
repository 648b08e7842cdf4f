namespace MinikubeDemo.ServerFetcher.Upstream;

/// <summary>What the upstream said, and which of its instances said it (its <c>X-Instance</c> header), if it told.</summary>
public sealed record UpstreamMessage(string Message, string? Instance);
