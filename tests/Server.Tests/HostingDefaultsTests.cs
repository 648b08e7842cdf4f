using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using MinikubeDemo.ServiceDefaults;
using MinikubeDemo.ServiceDefaults.Hosting;

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
    public void The_instance_is_the_pod_name_when_kubernetes_passes_one()
    {
        Assert.Equal("minikube-demo-server-deployment-694d46996b-h2gds",
            InstanceName.From("minikube-demo-server-deployment-694d46996b-h2gds", "host").Value);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    public void The_instance_is_the_host_name_without_a_pod_name(string? podName)
    {
        Assert.Equal("host", InstanceName.From(podName, "host").Value);
    }
}
