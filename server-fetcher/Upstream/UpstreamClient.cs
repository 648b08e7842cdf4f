using System.Buffers;
using System.Net;
using System.Text.Json;
using Microsoft.Extensions.Options;
using MinikubeDemo.Contract;
using Polly;
using Polly.CircuitBreaker;
using Polly.Registry;
using Polly.Timeout;

namespace MinikubeDemo.ServerFetcher.Upstream;

/// <summary>
/// Calls <c>GET {Upstream:BaseUrl}</c> through the resilience pipeline and turns every way that can fail into
/// an <see cref="UpstreamException"/>. Each attempt reads and checks the whole body, so the attempt timeout also
/// bounds a body that trickles, and a transient status is retried while a malformed answer is not.
/// </summary>
public sealed class UpstreamClient : IDisposable
{
    public const string PipelineName = "upstream";

    // One client over one pooled handler for the life of the process: connections are reused across requests
    // and rotated by PooledConnectionLifetime, which is why no IHttpClientFactory handler rotation is needed.
    private readonly HttpClient _http;
    private readonly Uri _requestUri;
    private readonly int _maxResponseBytes;
    private readonly TimeSpan _attemptTimeout;
    private readonly TimeSpan _totalTimeout;
    private readonly ResiliencePipeline _pipeline;
    private readonly TimeProvider _time;

    public UpstreamClient(IOptions<UpstreamOptions> options, ResiliencePipelineProvider<string> pipelines, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(pipelines);
        var settings = options.Value;
        _requestUri = new Uri(settings.BaseUrl, UriKind.Absolute);
        _maxResponseBytes = settings.MaxResponseBytes;
        _attemptTimeout = settings.AttemptTimeout;
        _totalTimeout = settings.TotalTimeout;
        _pipeline = pipelines.GetPipeline(PipelineName);
        _time = time;
        _http = new HttpClient(new SocketsHttpHandler
        {
            PooledConnectionLifetime = settings.PooledConnectionLifetime,
            ConnectCallback = new RoundRobinConnector(AddressConnectTimeout(settings.AttemptTimeout)).ConnectAsync,
            AutomaticDecompression = DecompressionMethods.None,
            // A call to a service inside the cluster: never through an egress proxy from HTTP_PROXY, never
            // following a redirect elsewhere (a 3xx is the server's answer, and not a good one), and no cookie
            // jar, which this one client would share among all the fetcher's callers. Each is also one handler
            // layer less on every request.
            UseProxy = false,
            AllowAutoRedirect = false,
            UseCookies = false,
        })
        {
            // The pipeline's timeouts bound every call.
            Timeout = Timeout.InfiniteTimeSpan,
        };
    }

    /// <summary>
    /// How long one of several resolved addresses may take to accept before the next is tried: a connection
    /// inside a cluster is made in well under a millisecond, and the rest of the attempt is left for the answer.
    /// </summary>
    private static TimeSpan AddressConnectTimeout(TimeSpan attemptTimeout) =>
        TimeSpan.FromTicks(Math.Min(attemptTimeout.Ticks / 2, TimeSpan.FromMilliseconds(250).Ticks));

    /// <remarks>
    /// Every detail names the failure and the configured URL, and nothing else: exception texts can quote the
    /// upstream's bytes, resolved addresses and .NET types, so they go to the log only (<see cref="UpstreamException.Reason"/>).
    /// </remarks>
    public async Task<UpstreamMessage> GetMessageAsync(CancellationToken cancellationToken)
    {
        var call = new UpstreamCall(_time);
        var context = ResilienceContextPool.Shared.Get(cancellationToken);
        context.Properties.Set(UpstreamCall.Key, call);
        try
        {
            return await _pipeline.ExecuteAsync(static (context, state) => state.Client.FetchOnceAsync(state.Call, context.CancellationToken), context, (Client: this, Call: call));
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw; // The caller went away; nobody is left to answer.
        }
        catch (TimeoutRejectedException e)
        {
            // Whichever timeout fired, the attempt's or the whole call's, the detail says both and what was tried.
            throw new UpstreamException(UpstreamFailure.Timeout,
                $"{_requestUri} did not answer in time: {call.Attempts} {(call.Attempts == 1 ? "attempt" : "attempts")} of at most {_attemptTimeout.TotalMilliseconds:0} ms each, "
                + $"within a total budget of {_totalTimeout.TotalMilliseconds:0} ms.", e);
        }
        catch (BrokenCircuitException e)
        {
            throw new UpstreamException(UpstreamFailure.CircuitOpen, $"{_requestUri} failed repeatedly, so calls to it are paused for a while.", e)
            {
                RetryAfter = e.RetryAfter,
            };
        }
        catch (Exception e) when (e is HttpRequestException or IOException)
        {
            throw new UpstreamException(UpstreamFailure.Unreachable, $"{_requestUri} could not be reached.", e);
        }
        catch (TransientStatusException e)
        {
            var detail = call.RetryAfterPastBudget
                ? $"{_requestUri} answered {e.StatusCode} and asked to be called again in {Math.Ceiling(e.RetryAfter.GetValueOrDefault().TotalSeconds):0} s, later than the time budget allows."
                : $"{_requestUri} answered {e.StatusCode}{(call.Attempts > 1 ? ", also when retried" : "")}.";
            // The caller is told when the upstream expects to be ready again.
            throw new UpstreamException(UpstreamFailure.ErrorStatus, detail, e) { RetryAfter = e.RetryAfter };
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    private async ValueTask<UpstreamMessage> FetchOnceAsync(UpstreamCall call, CancellationToken cancellationToken)
    {
        call.Attempts++;
        call.Address = null;
        AddressReportingStream.ReportTo(call);
        using var response = await _http.GetAsync(_requestUri, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        var status = (int)response.StatusCode;
        if (TransientStatusException.IsTransient(status))
        {
            throw new TransientStatusException(status, RetryAfter(response));
        }
        if (!response.IsSuccessStatusCode)
        {
            throw new UpstreamException(UpstreamFailure.ErrorStatus, $"{_requestUri} answered {status}.");
        }
        if (response.Content.Headers.ContentLength > _maxResponseBytes)
        {
            throw TooLarge();
        }

        var buffer = ArrayPool<byte>.Shared.Rent(_maxResponseBytes + 1);
        try
        {
            var length = await ReadAtMostAsync(response.Content, buffer, cancellationToken);
            var message = Parse(buffer.AsSpan(0, length));
            var instance = response.Headers.NonValidated.TryGetValues(DemoContract.Headers.Instance, out var values) ? values.ToString() : null;
            return new UpstreamMessage(message, instance, call.Address);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>How long the upstream asked us to wait (<c>Retry-After</c>, seconds or a date), when it said so validly.</summary>
    private TimeSpan? RetryAfter(HttpResponseMessage response) => response.Headers.RetryAfter switch
    {
        { Delta: { } delta } => delta,
        { Date: { } date } => TimeSpan.FromTicks(Math.Max(0, (date - _time.GetUtcNow()).Ticks)),
        _ => null,
    };

    /// <summary>Reads the body into <paramref name="buffer"/>, failing as soon as it is longer than the limit.</summary>
    private async Task<int> ReadAtMostAsync(HttpContent content, byte[] buffer, CancellationToken cancellationToken)
    {
        await using var stream = await content.ReadAsStreamAsync(cancellationToken);
        var length = 0;
        int read;
        while ((read = await stream.ReadAsync(buffer.AsMemory(length), cancellationToken)) > 0)
        {
            length += read;
            if (length > _maxResponseBytes)
            {
                throw TooLarge();
            }
        }
        return length;
    }

    private string Parse(ReadOnlySpan<byte> body)
    {
        MessageResponse? parsed;
        try
        {
            parsed = JsonSerializer.Deserialize(body, ContractJsonContext.Default.MessageResponse);
        }
        catch (JsonException e)
        {
            throw new UpstreamException(UpstreamFailure.InvalidBody, $"{_requestUri} answered a body that is not JSON with a string \"message\".", e);
        }
        return parsed?.Message
            ?? throw new UpstreamException(UpstreamFailure.InvalidBody, $"{_requestUri} answered JSON without a string \"message\".");
    }

    private UpstreamException TooLarge() =>
        new(UpstreamFailure.TooLarge, $"{_requestUri} answered a body over the {_maxResponseBytes}-byte limit (Upstream:MaxResponseBytes).");

    public void Dispose() => _http.Dispose();
}
