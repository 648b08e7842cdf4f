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
    private readonly ResiliencePipeline _pipeline;

    public UpstreamClient(IOptions<UpstreamOptions> options, ResiliencePipelineProvider<string> pipelines)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(pipelines);
        var settings = options.Value;
        _requestUri = new Uri(settings.BaseUrl, UriKind.Absolute);
        _maxResponseBytes = settings.MaxResponseBytes;
        _pipeline = pipelines.GetPipeline(PipelineName);
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

    public async Task<UpstreamMessage> GetMessageAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await _pipeline.ExecuteAsync(static (client, token) => client.FetchOnceAsync(token), this, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw; // The caller went away; nobody is left to answer.
        }
        catch (TimeoutRejectedException e)
        {
            throw new UpstreamException(UpstreamFailure.Timeout, $"{_requestUri} gave no answer within the time budget ({e.Timeout.TotalMilliseconds:0} ms).", e);
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
            throw new UpstreamException(UpstreamFailure.Unreachable, $"{_requestUri} could not be reached: {e.Message}", e);
        }
        catch (TransientStatusException e)
        {
            throw new UpstreamException(UpstreamFailure.ErrorStatus, $"{_requestUri} answered {e.StatusCode}, also when retried.", e);
        }
    }

    private async ValueTask<UpstreamMessage> FetchOnceAsync(CancellationToken cancellationToken)
    {
        using var response = await _http.GetAsync(_requestUri, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        var status = (int)response.StatusCode;
        if (TransientStatusException.IsTransient(status))
        {
            throw new TransientStatusException(status);
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
            return new UpstreamMessage(message, instance);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

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
            throw new UpstreamException(UpstreamFailure.InvalidBody, $"{_requestUri} answered a body that is not JSON with a string \"message\": {e.Message}", e);
        }
        return parsed?.Message
            ?? throw new UpstreamException(UpstreamFailure.InvalidBody, $"{_requestUri} answered JSON without a string \"message\".");
    }

    private UpstreamException TooLarge() =>
        new(UpstreamFailure.TooLarge, $"{_requestUri} answered a body over the {_maxResponseBytes}-byte limit (Upstream:MaxResponseBytes).");

    public void Dispose() => _http.Dispose();
}
