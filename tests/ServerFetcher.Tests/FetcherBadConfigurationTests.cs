using MinikubeDemo.Contract;
using MinikubeDemo.TestSupport;

namespace MinikubeDemo.ServerFetcher.Tests;

/// <summary>The shared bad-configuration cases, and the fetcher's own Upstream settings, on the fetcher's process.</summary>
public sealed class FetcherBadConfigurationTests : BadConfigurationContractTests
{
    protected override string AssemblyName => DemoContract.Fetcher.Name;

    [Theory]
    [InlineData("Upstream__BaseUrl", "not-a-url", "is 'not-a-url', which is not an absolute http(s) URL; expected something like http://minikube-demo-server-service:8000.")]
    [InlineData("Upstream__BaseUrl", "ftp://minikube-demo-server-service:8000", "is 'ftp://minikube-demo-server-service:8000', which is not an absolute http(s) URL")]
    [InlineData("Upstream__AttemptTimeout", "abc", "is 'abc', which is not a duration; expected hh:mm:ss, like 00:00:05.")]
    [InlineData("Upstream__TotalTimeout", "2.00:00:00", "is 2.00:00:00; it must be between 00:00:00.0100000 and 1.00:00:00.")]
    [InlineData("Upstream__MaxRetryAttempts", "x", "is 'x', which is not a whole number; expected something like 2.")]
    [InlineData("Upstream__MaxRetryAttempts", "11", "is 11; it must be between 0 and 10.")]
    [InlineData("Upstream__BreakerFailureRatio", "half", "is 'half', which is not a number; expected something like 0.5.")]
    [InlineData("Upstream__BreakerFailureRatio", "1.5", "is 1.5; it must be in (0, 1].")]
    [InlineData("Upstream__MaxResponseBytes", "0", "is 0; it must be between 1 and 16777216.")]
    public async Task A_bad_upstream_setting_stops_the_start_in_one_line(string variable, string value, string expected)
    {
        var run = await RunAsync(AnyLoopbackPort, new() { [variable] = value });

        AssertOneLine(run, $"{variable.Replace("__", ":", StringComparison.Ordinal)} (env {variable}) {expected}");
    }

    [Fact]
    public async Task Several_bad_settings_give_one_line_each()
    {
        var run = await RunAsync(AnyLoopbackPort, new()
        {
            ["Upstream__BaseUrl"] = "not-a-url",
            ["Upstream__MaxResponseBytes"] = "0",
        });

        Assert.Equal(1, run.ExitCode);
        Assert.Collection(run.Errors.Order(StringComparer.Ordinal),
            line => Assert.Contains("Upstream:BaseUrl (env Upstream__BaseUrl) is 'not-a-url'", line, StringComparison.Ordinal),
            line => Assert.Contains("Upstream:MaxResponseBytes (env Upstream__MaxResponseBytes) is 0", line, StringComparison.Ordinal));
        AssertNoStackTrace(run);
    }

    [Fact]
    public async Task A_value_with_a_line_break_stays_on_one_line()
    {
        var run = await RunAsync(AnyLoopbackPort, new() { ["Upstream__BaseUrl"] = "http://a\nb" });

        AssertOneLine(run, @"Upstream:BaseUrl (env Upstream__BaseUrl) is 'http://a\x0ab'");
    }
}
