using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MinikubeDemo.ServerFetcher.Upstream;
using MinikubeDemo.ServiceDefaults;

namespace MinikubeDemo.ServerFetcher.Tests;

public sealed class StartupValidationTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("minikube-demo-server-service:8000")]
    [InlineData("not a url")]
    [InlineData("ftp://minikube-demo-server-service:8000")]
    [InlineData("/relative")]
    public async Task A_malformed_base_url_fails_the_start_naming_the_setting(string baseUrl)
    {
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => StartAsync("Upstream:BaseUrl", baseUrl));

        Assert.Contains("Upstream__BaseUrl", error.Message, StringComparison.Ordinal);
        Assert.Contains(baseUrl, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Upstream:AttemptTimeout", "00:00:05", "Upstream__AttemptTimeout")]
    [InlineData("Upstream:AttemptTimeout", "00:00:00.001", "Upstream__AttemptTimeout")]
    [InlineData("Upstream:TotalTimeout", "-00:00:01", "Upstream__TotalTimeout")]
    [InlineData("Upstream:RetryBaseDelay", "2.00:00:00", "Upstream__RetryBaseDelay")]
    [InlineData("Upstream:MaxRetryAttempts", "-1", "Upstream__MaxRetryAttempts")]
    [InlineData("Upstream:BreakerFailureRatio", "1.5", "Upstream__BreakerFailureRatio")]
    [InlineData("Upstream:BreakerBreakDuration", "00:00:00.1", "Upstream__BreakerBreakDuration")]
    [InlineData("Upstream:MaxResponseBytes", "0", "Upstream__MaxResponseBytes")]
    [InlineData("Upstream:MaxResponseBytes", "2147483647", "Upstream__MaxResponseBytes")]
    [InlineData("Shutdown:DrainDelay", "-00:00:01", "Shutdown__DrainDelay")]
    public async Task An_out_of_range_setting_fails_the_start_naming_it(string key, string value, string named)
    {
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => StartAsync(key, value));

        Assert.Contains(named, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_setting_that_is_not_a_duration_fails_the_start_naming_it()
    {
        var error = await Assert.ThrowsAnyAsync<InvalidOperationException>(() => StartAsync("Upstream:TotalTimeout", "3 seconds"));

        Assert.Contains("Upstream:TotalTimeout", error.Message, StringComparison.Ordinal);
    }

    /// <summary>Composes the fetcher as its Program.cs does, with one setting changed, and starts it.</summary>
    private static async Task StartAsync(string key, string value)
    {
        var builder = WebApplication.CreateSlimBuilder(["--urls", "http://127.0.0.1:0"]);
        builder.Logging.ClearProviders();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { [key] = value });
        builder.AddServiceDefaults();
        builder.Services.AddUpstreamClient(builder.Configuration);
        await using var app = builder.Build();
        await app.StartAsync(Ct);
        await app.StopAsync(Ct);
    }
}
