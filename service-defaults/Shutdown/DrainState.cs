namespace MinikubeDemo.ServiceDefaults.Shutdown;

/// <summary>Whether the service has been asked to stop and is draining: readiness reads it, responses follow it.</summary>
public sealed class DrainState
{
    private volatile bool _draining;

    public bool IsDraining => _draining;

    public void BeginDraining() => _draining = true;
}
