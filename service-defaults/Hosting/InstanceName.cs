namespace MinikubeDemo.ServiceDefaults.Hosting;

/// <summary>
/// Which replica this process is, for <c>X-Instance</c>: the pod name Kubernetes passes through the downward API
/// (<c>POD_NAME</c>), else the host name (a container's ID under plain Docker).
/// </summary>
public sealed record InstanceName(string Value)
{
    public static InstanceName FromEnvironment() => new(Environment.GetEnvironmentVariable("POD_NAME") is { Length: > 0 } pod ? pod : Environment.MachineName);
}
