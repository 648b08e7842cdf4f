using Microsoft.Extensions.Options;
using Polly.CircuitBreaker;
using Polly.Timeout;

namespace MinikubeDemo.ServerFetcher.Upstream;

/// <summary>
/// Calls <c>GET {Upstream:BaseUrl}</c> through the resilience pipeline (<see cref="UpstreamRegistration"/>) and turns
/// every way that can fail into an <see cref="UpstreamException"/>. Exception texts can quote the upstream's bytes,
/// resolved addresses and .NET types, so they go to the log only (<see cref="UpstreamException.Reason"/>).
/// </summary>
internal sealed class UpstreamClient(IHttpClientFactory clients, IOptions<UpstreamOptions> options, TimeProvider time)
{
    // One client over one pooled handler for the life of the process: PooledConnectionLifetime rotates its connections.
    private readonly HttpClient _http = clients.CreateClient(UpstreamRegistration.ClientName);
    private readonly UpstreamOptions _options = options.Value;
    private readonly Uri _upstream = new(options.Value.BaseUrl, UriKind.Absolute);

    public async Task<UpstreamCall> GetMessageAsync(CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, _upstream);
        var call = new UpstreamCall(request, time);
        HttpResponseMessage response;
        try
        {
            // The attempt handler has read the body already: nothing is left for HttpClient to buffer.
            response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw; // The caller went away; nobody is left to answer.
        }
        catch (TimeoutRejectedException e)
        {
            // Whichever timeout fired, the attempt's or the whole call's, the detail says both and what was tried.
            throw new UpstreamException(StatusCodes.Status504GatewayTimeout, UpstreamException.Timeout,
                $"{_upstream} did not answer in time: {call.Attempts} {(call.Attempts == 1 ? "attempt" : "attempts")} of at most {_options.AttemptTimeout.TotalMilliseconds:0} ms each, "
                + $"within a total budget of {_options.TotalTimeout.TotalMilliseconds:0} ms.", e);
        }
        catch (BrokenCircuitException e)
        {
            throw new UpstreamException(StatusCodes.Status502BadGateway, UpstreamException.CircuitOpen,
                $"{_upstream} failed repeatedly, so calls to it are paused for a while.", e) { RetryAfter = e.RetryAfter };
        }
        catch (Exception e) when (e is HttpRequestException or IOException)
        {
            throw new UpstreamException(StatusCodes.Status502BadGateway, UpstreamException.Unreachable, $"{_upstream} could not be reached.", e);
        }
        using (response)
        {
            if (!response.IsSuccessStatusCode)
            {
                var (status, retryAfter) = ((int)response.StatusCode, call.RetryAfter(response));
                // The caller is told when the upstream expects to be ready again.
                throw new UpstreamException(StatusCodes.Status502BadGateway, UpstreamException.ErrorStatus, call.RetryAfterPastBudget
                    ? $"{_upstream} answered {status} and asked to be called again in {Math.Ceiling(retryAfter.GetValueOrDefault().TotalSeconds):0} s, later than the time budget allows."
                    : $"{_upstream} answered {status}{(call.Attempts > 1 ? ", also when retried" : "")}.") { RetryAfter = retryAfter };
            }
            return call;
        }
    }
}
