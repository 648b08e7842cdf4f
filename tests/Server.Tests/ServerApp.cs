using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace MinikubeDemo.Server.Tests;

/// <summary>The server in process, with its log captured, on a clock of the test's own, without a drain delay.</summary>
public sealed class ServerApp : WebApplicationFactory<Program>
{
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("Shutdown:DrainDelay", "00:00:00");
        builder.ConfigureServices(services => services.AddSingleton<TimeProvider>(new FakeTimeProvider(DateTimeOffset.UtcNow)));
        builder.ConfigureLogging(logging => logging.ClearProviders().AddFakeLogging());
    }
}
