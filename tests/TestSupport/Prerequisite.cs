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

        Skip(reason);
    }

    /// <summary>Skips the test, and has the end of `dotnet test` say why, once (<see cref="NotRunReport"/>).</summary>
    public static void Skip(string reason)
    {
        NotRunReport.Skipped(reason);
        Assert.Skip(reason);
    }
}
