namespace MinikubeDemo.ServiceDefaults.Hosting;

/// <summary>Which replica this is, for <c>X-Instance</c>: the pod name (<c>POD_NAME</c>, from the downward API), else the host name.</summary>
public sealed record InstanceName(string Value)
{
    public static InstanceName FromEnvironment() => new(Environment.GetEnvironmentVariable("POD_NAME") is { Length: > 0 } pod ? pod : Environment.MachineName);
}
