using System.Collections.Concurrent;
using System.Diagnostics;
using MinikubeDemo.Contract;

namespace MinikubeDemo.Containers.Tests;

/// <summary>One <c>GET /</c> to the fetcher: when it finished, how long it took, and its status and upstream, or why it failed.</summary>
internal sealed record FetchOutcome(TimeSpan FinishedAt, TimeSpan Duration, int? Status, string? UpstreamInstance, string? Error, string? UpstreamAddress = null)
{
    public bool Succeeded => Status == 200;

    public override string ToString() => Error ?? $"{Status} from {UpstreamInstance ?? "no upstream"}";
}

/// <summary>
/// Steady load on the fetcher's published loopback port: a fixed number of workers, each sending <c>GET /</c>
/// one after the other, until stopped, or until a request count or a duration is reached, whichever comes first.
/// </summary>
internal sealed class RequestLoad : IAsyncDisposable
{
    private readonly HttpClient _client;
    private readonly int _maxRequests;
    private readonly CancellationTokenSource _stop;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly ConcurrentQueue<FetchOutcome> _outcomes = new();
    private readonly Task[] _workers;
    private int _sent;

    private RequestLoad(HttpClient client, int concurrency, int maxRequests, TimeSpan maxDuration, CancellationToken cancellationToken)
    {
        _client = client;
        _maxRequests = maxRequests;
        _stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        _stop.CancelAfter(maxDuration);
        _workers = [.. Enumerable.Range(0, concurrency).Select(_ => Task.Run(WorkAsync))];
    }

    public TimeSpan Elapsed => _clock.Elapsed;

    public int Completed => _outcomes.Count;

    /// <param name="cancellationToken">Stops the load early, e.g. when the test times out.</param>
    public static RequestLoad Start(HttpClient client, int concurrency, int maxRequests, TimeSpan maxDuration, CancellationToken cancellationToken) =>
        new(client, concurrency, maxRequests, maxDuration, cancellationToken);

    /// <summary>Waits until <paramref name="count"/> more requests have completed (or the load ended).</summary>
    public async Task WaitForMoreAsync(int count)
    {
        var target = Completed + count;
        while (Completed < target && !_workers.All(worker => worker.IsCompleted))
        {
            await Task.Delay(10);
        }
    }

    /// <summary>Lets the load run to its request count or duration and returns every outcome, in the order they finished.</summary>
    public async Task<IReadOnlyList<FetchOutcome>> RunToEndAsync()
    {
        await Task.WhenAll(_workers);
        return [.. _outcomes.OrderBy(outcome => outcome.FinishedAt)];
    }

    /// <summary>Stops sending and returns every outcome, in the order they finished.</summary>
    public async Task<IReadOnlyList<FetchOutcome>> StopAsync()
    {
        await _stop.CancelAsync();
        return await RunToEndAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _stop.Dispose();
    }

    private async Task WorkAsync()
    {
        while (!_stop.IsCancellationRequested && Interlocked.Increment(ref _sent) <= _maxRequests)
        {
            _outcomes.Enqueue(await FetchAsync());
        }
    }

    // A request already sent is awaited to its end even when the load stops: its outcome counts.
    private async Task<FetchOutcome> FetchAsync()
    {
        var startedAt = _clock.Elapsed;
        try
        {
            using var response = await _client.GetAsync(new Uri("/", UriKind.Relative), CancellationToken.None);
            await response.Content.LoadIntoBufferAsync(CancellationToken.None);
            string? Header(string name) => response.Headers.TryGetValues(name, out var values) ? values.First() : null;
            return new FetchOutcome(_clock.Elapsed, _clock.Elapsed - startedAt, (int)response.StatusCode,
                Header(DemoContract.Headers.UpstreamInstance), null, Header(DemoContract.Headers.UpstreamAddress));
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return new FetchOutcome(_clock.Elapsed, _clock.Elapsed - startedAt, null, null, $"{e.GetType().Name}: {e.Message}");
        }
    }
}
