namespace MinikubeDemo.Containers.Tests;

/// <summary>
/// Measurements that belong in the test output (image sizes, timings, how the load spread); Microsoft Testing
/// Platform prints them for passing tests with <c>dotnet test --output detailed</c>.
/// </summary>
internal static class Report
{
    public static void Line(string message) => TestContext.Current.TestOutputHelper?.WriteLine(message);
}
