using System.Collections.Concurrent;
using System.Globalization;
using System.Reflection;
using Microsoft.Testing.Platform.Builder;
using Microsoft.Testing.Platform.Extensions;
using Microsoft.Testing.Platform.Extensions.Messages;
using Microsoft.Testing.Platform.Extensions.TestHost;
using Microsoft.Testing.Platform.Messages;
using Microsoft.Testing.Platform.Services;

namespace MinikubeDemo.TestSupport;

/// <summary>
/// Lists at the end of `dotnet test` the tiers that did not run here, and why, once each, so that a run which ends
/// "Passed!" does not hide a skipped tier (each skipped test also says why, in the scrollback). `dotnet test` shows
/// the test applications' own output only for failures, but ends with the files they produced: this writes
/// not-run-here.txt next to the tests, one line per reason, and hands it over as the run's file. Registered with every test project
/// as a Microsoft Testing Platform extension (tests/Directory.Build.props).
/// </summary>
public sealed class NotRunReport(IMessageBus messages) : ITestSessionLifetimeHandler, IDataProducer
{
    /// <summary>Each reason a test of this project skipped for, with how many tests did.</summary>
    private static readonly ConcurrentDictionary<string, int> Reasons = new(StringComparer.Ordinal);

    public string Uid => nameof(NotRunReport);

    public string Version => "1.0";

    public string DisplayName => "Tiers that did not run";

    public string Description => DisplayName;

    /// <summary>The hook Microsoft Testing Platform calls (TestingPlatformBuilderHook) to add the extension.</summary>
    public static void AddExtensions(ITestApplicationBuilder builder, string[] arguments)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.TestHost.AddTestSessionLifetimeHandler(services => new NotRunReport(services.GetMessageBus()));
    }

    /// <summary>Notes a test that did not run because a prerequisite of its tier is missing here.</summary>
    public static void Skipped(string reason) => Reasons.AddOrUpdate(reason, 1, (_, tests) => tests + 1);

    public Type[] DataTypesProduced => [typeof(SessionFileArtifact)];

    public Task<bool> IsEnabledAsync() => Task.FromResult(true);

    public Task OnTestSessionStartingAsync(ITestSessionContext testSessionContext) => Task.CompletedTask;

    public async Task OnTestSessionFinishingAsync(ITestSessionContext testSessionContext)
    {
        ArgumentNullException.ThrowIfNull(testSessionContext);
        var report = new FileInfo(Path.Combine(AppContext.BaseDirectory, "TestResults", "not-run-here.txt"));
        if (Reasons.IsEmpty)
        {
            // A report of an earlier run would say something that is no longer true; a first run has none.
            if (report.Exists)
            {
                report.Delete();
            }

            return;
        }

        report.Directory!.Create();
        await File.WriteAllLinesAsync(report.FullName, Reasons.OrderBy(reason => reason.Key, StringComparer.Ordinal).Select(reason => string.Create(CultureInfo.InvariantCulture,
            $"{reason.Value} test{(reason.Value == 1 ? "" : "s")} of {Assembly.GetEntryAssembly()?.GetName().Name} did not run here: {reason.Key}")), testSessionContext.CancellationToken);
        await messages.PublishAsync(this, new SessionFileArtifact(testSessionContext.SessionUid, report, "Tiers that did not run here", "Each tier that did not run, and why"));
    }
}
