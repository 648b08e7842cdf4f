using Microsoft.Extensions.Options;

namespace MinikubeDemo.ServerFetcher.Tests;

public sealed class StartupValidationTests
{
    [Theory]
    [InlineData("minikube-demo-server-service:8000")]
    [InlineData("not a url")]
    [InlineData("ftp://minikube-demo-server-service:8000")]
    [InlineData("/relative")]
    public void A_malformed_base_url_fails_the_start_naming_the_setting(string baseUrl)
    {
        using var fetcher = new FetcherApp(new Uri("http://127.0.0.1:9"), new Dictionary<string, string> { ["Upstream:BaseUrl"] = baseUrl });

        var error = Assert.Throws<OptionsValidationException>(() => fetcher.CreateClient());

        Assert.Contains("Upstream__BaseUrl", error.Message, StringComparison.Ordinal);
        Assert.Contains(baseUrl, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Upstream:AttemptTimeout", "00:00:05", "Upstream__AttemptTimeout")]
    [InlineData("Upstream:TotalTimeout", "-00:00:01", "Upstream__TotalTimeout")]
    [InlineData("Upstream:MaxRetryAttempts", "-1", "Upstream__MaxRetryAttempts")]
    [InlineData("Upstream:BreakerFailureRatio", "1.5", "Upstream__BreakerFailureRatio")]
    [InlineData("Upstream:BreakerBreakDuration", "00:00:00.1", "Upstream__BreakerBreakDuration")]
    [InlineData("Upstream:MaxResponseBytes", "0", "Upstream__MaxResponseBytes")]
    [InlineData("Shutdown:DrainDelay", "-00:00:01", "Shutdown__DrainDelay")]
    public void An_out_of_range_setting_fails_the_start_naming_it(string key, string value, string named)
    {
        using var fetcher = new FetcherApp(new Uri("http://127.0.0.1:9"), new Dictionary<string, string> { [key] = value });

        var error = Assert.Throws<OptionsValidationException>(() => fetcher.CreateClient());

        Assert.Contains(named, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_setting_that_is_not_a_duration_fails_the_start_naming_it()
    {
        using var fetcher = new FetcherApp(new Uri("http://127.0.0.1:9"), new Dictionary<string, string> { ["Upstream:TotalTimeout"] = "3 seconds" });

        var error = Assert.ThrowsAny<InvalidOperationException>(() => fetcher.CreateClient());

        Assert.Contains("Upstream:TotalTimeout", error.Message, StringComparison.Ordinal);
    }
}
