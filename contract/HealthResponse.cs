namespace MinikubeDemo.Contract;

/// <summary>The body of <c>/healthz</c> and <c>/readyz</c>.</summary>
public sealed record HealthResponse(string Status)
{
    public static readonly HealthResponse Healthy = new("Healthy");
    public static readonly HealthResponse Draining = new("Draining");
}
