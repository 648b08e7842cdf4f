using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Logging;

namespace MinikubeDemo.Server.Tests;

/// <summary>The server in process, with its log captured and a short drain delay.</summary>
public sealed class ServerApp : WebApplicationFactory<Program>
{
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("Shutdown:DrainDelay", "00:00:00.2");
        builder.ConfigureLogging(logging => logging.ClearProviders().AddFakeLogging());
    }
}
