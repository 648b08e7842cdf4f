using Microsoft.Extensions.Options;

namespace MinikubeDemo.ServerFetcher.Upstream;

/// <summary>Validates <see cref="UpstreamOptions"/> at start without reflection (source-generated).</summary>
[OptionsValidator]
internal sealed partial class UpstreamOptionsValidator : IValidateOptions<UpstreamOptions>;
