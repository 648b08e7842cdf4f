namespace MinikubeDemo.TestSupport;

/// <summary>
/// A test that needs something this machine lacks skips and says what is missing; in CI (<c>CI=true</c>),
/// which installs everything it can, the same absence is a failure, so a skip there never hides a tier.
/// </summary>
public static class Prerequisite
{
    public static bool InCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    public static void Missing(string reason)
    {
        if (InCi)
        {
            Assert.Fail($"{reason} (CI=true: CI installs this, so it must not be skipped)");
        }
        Assert.Skip(reason);
    }
}
