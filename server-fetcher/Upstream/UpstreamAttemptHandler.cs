using System.Buffers;
using System.Text.Json;
using MinikubeDemo.Contract;

namespace MinikubeDemo.ServerFetcher.Upstream;

/// <summary>
/// Each attempt, inside the resilience pipeline: counts it, has its connection say where it went, and reads and checks
/// the whole body of a 2xx answer, so that the attempt timeout also bounds a body that trickles and a connection lost
/// mid-body is a failed attempt like any other. A body that is too large (<see cref="InvalidDataException"/>) or not
/// JSON with a string <c>message</c> (<see cref="JsonException"/>) is not retried: asking again gets the same answer.
/// </summary>
internal sealed class UpstreamAttemptHandler(int maxResponseBytes) : DelegatingHandler
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
            throw new InvalidDataException();
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
                    throw new InvalidDataException();
                }
            }
            return JsonSerializer.Deserialize(buffer.AsSpan(0, length), ContractJsonContext.Default.MessageResponse)?.Message ?? throw new JsonException();
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
