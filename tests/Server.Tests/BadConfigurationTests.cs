using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using MinikubeDemo.ServiceDefaults;
using MinikubeDemo.ServiceDefaults.Hosting;
using MinikubeDemo.ServiceDefaults.Shutdown;

namespace MinikubeDemo.Server.Tests;

/// <summary>What counts as bad configuration, in process; the processes themselves are in ServerBadConfigurationTests.</summary>
public sealed class BadConfigurationTests
{
    private static readonly IConfiguration NoSettings = new ConfigurationBuilder().Build();

    [Fact]
    public void Anything_else_is_not_described_so_that_it_still_crashes_with_its_stack_trace()
    {
        Assert.Null(BadConfiguration.Describe(new InvalidOperationException("a bug"), NoSettings));
        Assert.Null(BadConfiguration.Describe(new IOException("disk full"), NoSettings));
        Assert.Null(BadConfiguration.Describe(new FormatException("Invalid url: 'x'"), NoSettings));
    }

    [Fact]
    public void Several_failures_are_bad_configuration_only_when_each_is()
    {
        var bad = new OptionsValidationException("Shutdown", typeof(ShutdownOptions), ["one", "two"]);

        Assert.Equal(["one", "two", "one", "two"], BadConfiguration.Describe(new AggregateException(bad, bad), NoSettings));
        Assert.Null(BadConfiguration.Describe(new AggregateException(bad, new InvalidOperationException("a bug")), NoSettings));
    }

    [Fact]
    public void The_reflection_binder_is_understood_as_the_source_generated_one_is()
    {
        // Test projects bind by reflection; the services' source-generated binder is covered by their processes.
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Shutdown:DrainDelay"] = "soon" }).Build();
        var error = Assert.ThrowsAny<InvalidOperationException>(() => configuration.GetSection("Shutdown").Get<ShutdownOptions>());

        var line = Assert.Single(BadConfiguration.Describe(error, configuration) ?? []);

        Assert.Equal("Shutdown:DrainDelay (env Shutdown__DrainDelay) is 'soon', which is not a duration; expected hh:mm:ss, like 00:00:05.", line);
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
        Assert.NotNull(ListenAddressesFor(["--urls", urls]));
    }

    [Theory]
    [InlineData("http://localhost:99999")]
    [InlineData("http://localhost:-1")]
    [InlineData("http://:8000")]
    public void Addresses_kestrel_would_refuse_or_misread_fail(string urls)
    {
        var error = Assert.Throws<OptionsValidationException>(() => ListenAddressesFor(["--urls", urls]));

        Assert.Contains($"urls (env ASPNETCORE_URLS, or --urls) is '{urls}'", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("8000")]
    [InlineData(" 8000 ; 8001 ")]
    [InlineData("0")]
    public void Port_lists_kestrel_listens_on_pass(string ports)
    {
        Assert.NotNull(ListenAddressesFor(["--http_ports", ports]));
    }

    private static ListenAddresses ListenAddressesFor(string[] args)
    {
        var builder = WebApplication.CreateSlimBuilder(args).AddServiceDefaults();
        using var app = builder.Build();
        return app.Services.GetRequiredService<IOptions<ListenAddresses>>().Value;
    }
}
