using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MinikubeDemo.ServerFetcher.Upstream;
using MinikubeDemo.ServiceDefaults;
using MinikubeDemo.ServiceDefaults.Settings;

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
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => StartAsync(Compose("Upstream:BaseUrl", baseUrl)));

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
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => StartAsync(Compose(key, value)));

        Assert.Contains(error.Failures, failure => failure.Contains(named, StringComparison.Ordinal));
    }

    [Fact]
    public void A_setting_that_is_not_a_duration_is_named_before_anything_binds_it()
    {
        var line = Assert.Single(SettingsCheck.Problems(Compose("Upstream:TotalTimeout", "3 seconds")));

        Assert.Equal("Upstream:TotalTimeout (env Upstream__TotalTimeout) is '3 seconds', which is not a duration; expected hh:mm:ss, like 00:00:05.", line);
    }

    /// <summary>Composes the fetcher as its Program.cs does, with one setting changed.</summary>
    private static WebApplicationBuilder Compose(string key, string value)
    {
        var builder = WebApplication.CreateSlimBuilder(["--urls", "http://127.0.0.1:0"]);
        builder.Logging.ClearProviders();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { [key] = value });
        builder.AddServiceDefaults();
        builder.AddUpstreamClient();
        return builder;
    }

    private static async Task StartAsync(WebApplicationBuilder builder)
    {
        await using var app = builder.Build();
        await app.StartAsync(Ct);
        await app.StopAsync(Ct);
    }
}
