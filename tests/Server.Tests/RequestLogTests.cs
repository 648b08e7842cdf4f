using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Options;
using MinikubeDemo.ServiceDefaults.Logging;

namespace MinikubeDemo.Server.Tests;

public sealed class RequestLogTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Every_request_is_logged_once_with_method_path_status_and_duration()
    {
        await using var app = new ServerApp();
        using var client = app.CreateClient();
        var collector = app.Services.GetFakeLogCollector();
        collector.Clear();

        (await client.GetAsync("/", Ct)).Dispose();
        (await client.GetAsync("/missing", Ct)).Dispose();

        var lines = collector.GetSnapshot().Where(r => r.Category == RequestLogging.Category).ToList();
        Assert.Collection(lines,
            r => Assert.Matches(@"^GET / 200 \d+(\.\d+)?ms$", r.Message),
            r => Assert.Matches(@"^GET /missing 404 \d+(\.\d+)?ms$", r.Message));
        Assert.All(lines, r => Assert.Equal(LogLevel.Information, r.Level));
        // ASP.NET Core's own per-request lines are off by default, so a request makes one line, not three.
        Assert.DoesNotContain(collector.GetSnapshot(), r => r.Category == "Microsoft.AspNetCore.Hosting.Diagnostics");
    }

    [Fact]
    public void Json_console_logs_are_one_setting_away()
    {
        using var app = new ServerApp().WithWebHostBuilder(b => b.UseSetting("Logging:Console:FormatterName", "json"));

        var options = app.Services.GetRequiredService<IOptionsMonitor<ConsoleLoggerOptions>>().CurrentValue;

        Assert.Equal(ConsoleFormatterNames.Json, options.FormatterName);
    }

    [Fact]
    public void Console_logs_are_single_line_text_by_default()
    {
        using var app = new ServerApp();

        var options = app.Services.GetRequiredService<IOptionsMonitor<ConsoleLoggerOptions>>().CurrentValue;
        var simple = app.Services.GetRequiredService<IOptionsMonitor<SimpleConsoleFormatterOptions>>().CurrentValue;

        Assert.Equal(ConsoleFormatterNames.Simple, options.FormatterName);
        Assert.True(simple.SingleLine);
    }
}
