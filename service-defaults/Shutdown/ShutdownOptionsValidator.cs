using Microsoft.Extensions.Options;

namespace MinikubeDemo.ServiceDefaults.Shutdown;

/// <summary>Validates <see cref="ShutdownOptions"/> without reflection (source-generated).</summary>
[OptionsValidator]
public sealed partial class ShutdownOptionsValidator : IValidateOptions<ShutdownOptions>;
