using MinikubeDemo.Contract;
using MinikubeDemo.TestSupport;

namespace MinikubeDemo.Server.Tests;

/// <summary>The shared bad-configuration cases on the server's process.</summary>
public sealed class ServerBadConfigurationTests : BadConfigurationContractTests
{
    protected override string AssemblyName => DemoContract.Server.Name;
}
