using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using MinikubeDemo.Contract;
using MinikubeDemo.ServiceDefaults;
using MinikubeDemo.TestSupport;

namespace MinikubeDemo.Server.Tests;

public sealed class HostingDefaultsTests
{
    [Fact]
    public void Listens_on_the_courses_port_8000_by_default()
    {
        var builder = WebApplication.CreateSlimBuilder([]).AddServiceDefaults();

        Assert.Equal("8000", builder.WebHost.GetSetting(WebHostDefaults.HttpPortsKey));
    }

    [Fact]
    public void An_explicit_address_wins()
    {
        var builder = WebApplication.CreateSlimBuilder(["--urls", "http://127.0.0.1:9001"]).AddServiceDefaults();

        Assert.Equal("http://127.0.0.1:9001", builder.WebHost.GetSetting(WebHostDefaults.ServerUrlsKey));
        Assert.Null(builder.WebHost.GetSetting(WebHostDefaults.HttpPortsKey));
    }

    [Fact]
    public void An_explicit_port_wins()
    {
        var builder = WebApplication.CreateSlimBuilder(["--http_ports", "9002"]).AddServiceDefaults();

        Assert.Equal("9002", builder.WebHost.GetSetting(WebHostDefaults.HttpPortsKey));
    }

    [Fact]
    public async Task The_instance_is_the_pod_name_when_kubernetes_passes_one()
    {
        const string PodName = "minikube-demo-server-deployment-694d46996b-h2gds";
        var ct = TestContext.Current.CancellationToken;
        using var server = await ServiceProcess.StartDotnetAsync(DemoContract.Server.Name, new Dictionary<string, string> { ["POD_NAME"] = PodName }, ct);
        using var client = new HttpClient { BaseAddress = server.BaseAddress };

        using var response = await client.GetAsync("/", ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(PodName, Assert.Single(response.Headers.GetValues(DemoContract.Headers.Instance)));
    }
}
