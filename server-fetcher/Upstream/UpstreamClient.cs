using Microsoft.Extensions.Options;
using MinikubeDemo.Contract;
using Polly.CircuitBreaker;
using Polly.Timeout;

namespace MinikubeDemo.ServerFetcher.Upstream;

/// <summary>
/// Calls <c>GET {Upstream:BaseUrl}</c> through the resilience pipeline (<see cref="UpstreamRegistration"/>) and turns
/// every way that can fail into an <see cref="UpstreamException"/>. Every detail names the failure and the configured
/// URL, and nothing else: exception texts can quote the upstream's bytes, resolved addresses and .NET types, so they
/// go to the log only (<see cref="UpstreamException.Reason"/>).
/// </summary>
public sealed class UpstreamClient(IHttpClientFactory clients, IOptions<UpstreamOptions> options, TimeProvider time)
{
    // One client over one pooled handler for the life of the process (the factory keeps it): connections are reused
    // across requests and rotated by PooledConnectionLifetime.
    private readonly HttpClient _http = clients.CreateClient(UpstreamRegistration.ClientName);
    private readonly UpstreamOptions _options = options.Value;
    private readonly Uri _upstream = new(options.Value.BaseUrl, UriKind.Absolute);

    public async Task<UpstreamMessage> GetMessageAsync(CancellationToken cancellationToken)
    {
        var call = new UpstreamCall(time);
        using var request = new HttpRequestMessage(HttpMethod.Get, _upstream);
        call.Attach(request);
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
            throw new UpstreamException(UpstreamFailure.Timeout,
                $"{_upstream} did not answer in time: {call.Attempts} {(call.Attempts == 1 ? "attempt" : "attempts")} of at most {_options.AttemptTimeout.TotalMilliseconds:0} ms each, "
                + $"within a total budget of {_options.TotalTimeout.TotalMilliseconds:0} ms.", e);
        }
        catch (BrokenCircuitException e)
        {
            throw new UpstreamException(UpstreamFailure.CircuitOpen, $"{_upstream} failed repeatedly, so calls to it are paused for a while.", e)
            {
                RetryAfter = e.RetryAfter,
            };
        }
        catch (Exception e) when (e is HttpRequestException or IOException)
        {
            throw new UpstreamException(UpstreamFailure.Unreachable, $"{_upstream} could not be reached.", e);
        }

        using (response)
        {
            var status = (int)response.StatusCode;
            if (!response.IsSuccessStatusCode)
            {
                var retryAfter = call.RetryAfter(response);
                var detail = call.RetryAfterPastBudget
                    ? $"{_upstream} answered {status} and asked to be called again in {Math.Ceiling(retryAfter.GetValueOrDefault().TotalSeconds):0} s, later than the time budget allows."
                    : $"{_upstream} answered {status}{(call.Attempts > 1 ? ", also when retried" : "")}.";
                // The caller is told when the upstream expects to be ready again.
                throw new UpstreamException(UpstreamFailure.ErrorStatus, detail) { RetryAfter = retryAfter };
            }
            var instance = response.Headers.NonValidated.TryGetValues(DemoContract.Headers.Instance, out var values) ? values.ToString() : null;
            return new UpstreamMessage(call.Message!, instance, call.Address);
        }
    }
}
