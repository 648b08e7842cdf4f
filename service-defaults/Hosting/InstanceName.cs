namespace MinikubeDemo.ServiceDefaults.Hosting;

/// <summary>
/// Which replica this process is, for the <c>X-Instance</c> header: the pod name Kubernetes passes through the
/// downward API (<c>POD_NAME</c>), else the host name (a container's ID under plain Docker).
/// </summary>
public sealed class InstanceName(string value)
{
    public string Value { get; } = value;

    public static InstanceName FromEnvironment() =>
        From(Environment.GetEnvironmentVariable("POD_NAME"), Environment.MachineName);

    public static InstanceName From(string? podName, string hostName) =>
        new(string.IsNullOrEmpty(podName) ? hostName : podName);
}
