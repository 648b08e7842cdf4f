using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using MinikubeDemo.ServiceDefaults;
using MinikubeDemo.ServiceDefaults.Hosting;
using MinikubeDemo.ServiceDefaults.Settings;
using MinikubeDemo.ServiceDefaults.Shutdown;

namespace MinikubeDemo.Server.Tests;

/// <summary>What counts as bad configuration, in process; the processes themselves are in ServerBadConfigurationTests.</summary>
public sealed class BadConfigurationTests
{
    private static readonly IConfiguration NoSettings = new ConfigurationBuilder().Build();

    [Fact]
    public void Anything_else_is_not_described_so_that_it_still_crashes_with_its_stack_trace()
    {
        Assert.Null(ServiceHost.Describe(new InvalidOperationException("a bug"), NoSettings));
        Assert.Null(ServiceHost.Describe(new IOException("disk full"), NoSettings));
        Assert.Null(ServiceHost.Describe(new FormatException("Invalid url: 'x'"), NoSettings));
    }

    [Fact]
    public void Several_failures_are_bad_configuration_only_when_each_is()
    {
        var bad = new OptionsValidationException("Shutdown", typeof(ShutdownOptions), ["one", "two"]);

        Assert.Equal(["one", "two", "one", "two"], ServiceHost.Describe(new AggregateException(bad, bad), NoSettings));
        Assert.Null(ServiceHost.Describe(new AggregateException(bad, new InvalidOperationException("a bug")), NoSettings));
    }

    [Theory]
    [InlineData("Shutdown:DrainDelay", "soon", "Shutdown:DrainDelay (env Shutdown__DrainDelay) is 'soon', which is not a duration; expected hh:mm:ss, like 00:00:05.")]
    [InlineData("Shutdown:TerminationGracePeriodSeconds", "0x1e", "Shutdown:TerminationGracePeriodSeconds (env Shutdown__TerminationGracePeriodSeconds) is '0x1e', which is not a whole number; expected something like 2.")]
    [InlineData("Logging:Console:QueueFullMode", "Sometimes", "Logging:Console:QueueFullMode (env Logging__Console__QueueFullMode) is 'Sometimes', which is not one of Wait, DropWrite.")]
    public void A_value_its_setting_cannot_hold_is_found_without_binding_it(string key, string value, string expected)
    {
        var builder = WebApplication.CreateSlimBuilder(["--" + key, value]).AddServiceDefaults();

        Assert.Equal(expected, Assert.Single(SettingsCheck.Problems(builder)));
    }

    [Fact]
    public void Values_their_settings_can_hold_pass_in_any_case()
    {
        var builder = WebApplication.CreateSlimBuilder(["--shutdown:drainDelay", "00:00:01", "--Logging:Console:QueueFullMode", "wait"]).AddServiceDefaults();

        Assert.Empty(SettingsCheck.Problems(builder));
    }

    [Theory]
    [InlineData("http://127.0.0.1:0")]
    [InlineData("http://[::1]:8000")]
    [InlineData("http://*:8000;http://localhost:8001")]
    [InlineData("http://+:8000")]
    [InlineData("http://localhost")]
    [InlineData("http://unix:/tmp/minikube-demo.sock")]
    public void Addresses_kestrel_listens_on_pass(string urls)
    {
        Assert.Empty(ListenAddresses.Problems(Settings("urls", urls)));
    }

    [Theory]
    [InlineData("http://localhost:99999")]
    [InlineData("http://localhost:-1")]
    [InlineData("http://:8000")]
    public void Addresses_kestrel_would_refuse_or_misread_fail(string urls)
    {
        Assert.StartsWith($"urls (env ASPNETCORE_URLS, or --urls) is '{urls}'", Assert.Single(ListenAddresses.Problems(Settings("urls", urls))), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("8000")]
    [InlineData(" 8000 ; 8001 ")]
    [InlineData("0")]
    public void Port_lists_kestrel_listens_on_pass(string ports)
    {
        Assert.Empty(ListenAddresses.Problems(Settings("http_ports", ports)));
    }

    private static IConfiguration Settings(string key, string value) =>
        new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { [key] = value }).Build();
}
