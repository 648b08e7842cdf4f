using System.Buffers;
using System.Text.Json;
using MinikubeDemo.Contract;

namespace MinikubeDemo.ServerFetcher.Upstream;

/// <summary>
/// Each attempt, inside the resilience pipeline: counts it, has its connection say where it went, and reads and checks
/// the whole body of a 2xx answer, so that the attempt timeout also bounds a body that trickles and a connection lost
/// mid-body is a failed attempt like any other. A body too large or malformed is an <see cref="UpstreamException"/>,
/// which the pipeline does not retry: asking again would get the same answer.
/// </summary>
internal sealed class UpstreamAttemptHandler(Uri upstream, int maxResponseBytes) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var call = UpstreamCall.Of(request)!;
        call.Attempts++;
        AddressReportingStream.ReportTo(call);
        var response = await base.SendAsync(request, cancellationToken);
        try
        {
            if (response.IsSuccessStatusCode)
            {
                call.Message = await ReadMessageAsync(response.Content, cancellationToken);
                call.Instance = response.Headers.NonValidated.TryGetValues(DemoContract.Headers.Instance, out var instance) ? instance.ToString() : null;
            }
            return response;
        }
        catch
        {
            response.Dispose();
            throw;
        }
    }

    private async Task<string> ReadMessageAsync(HttpContent content, CancellationToken cancellationToken)
    {
        if (content.Headers.ContentLength > maxResponseBytes)
        {
            throw TooLarge();
        }
        var buffer = ArrayPool<byte>.Shared.Rent(maxResponseBytes + 1);
        try
        {
            await using var stream = await content.ReadAsStreamAsync(cancellationToken);
            var length = 0;
            for (int read; (read = await stream.ReadAsync(buffer.AsMemory(length), cancellationToken)) > 0;)
            {
                length += read;
                if (length > maxResponseBytes)
                {
                    throw TooLarge();
                }
            }
            return JsonSerializer.Deserialize(buffer.AsSpan(0, length), ContractJsonContext.Default.MessageResponse)?.Message ?? throw new JsonException();
        }
        catch (JsonException e)
        {
            throw new UpstreamException(StatusCodes.Status502BadGateway, UpstreamException.InvalidBody, $"{upstream} answered a body that is not JSON with a string \"message\".", e);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private UpstreamException TooLarge() => new(StatusCodes.Status502BadGateway, UpstreamException.TooLarge,
        $"{upstream} answered a body over the {maxResponseBytes}-byte limit (Upstream:MaxResponseBytes).");
}
