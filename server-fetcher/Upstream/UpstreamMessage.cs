namespace MinikubeDemo.ServerFetcher.Upstream;

/// <summary>
/// What the upstream said, which of its instances said it (its <c>X-Instance</c> header), if it told, and the
/// address and port the answering request was sent to.
/// </summary>
public sealed record UpstreamMessage(string Message, string? Instance, string? Address);
