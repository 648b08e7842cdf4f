using System.Buffers;
using System.Text.Json;
using MinikubeDemo.Contract;

namespace MinikubeDemo.ServerFetcher.Upstream;

/// <summary>
/// Each attempt, inside the resilience pipeline: counts it, has its connection say where it went, and reads and
/// checks the whole body of a 2xx answer, so that the attempt timeout also bounds a body that trickles and a
/// connection lost mid-body is a failed attempt like any other. A body that is too large or malformed is an
/// <see cref="UpstreamException"/>, which the pipeline does not retry: asking again would get the same answer.
/// </summary>
internal sealed class UpstreamAttemptHandler(Uri upstream, int maxResponseBytes) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var call = UpstreamCall.Of(request) ?? throw new InvalidOperationException("Upstream requests are sent by UpstreamClient.");
        call.Attempts++;
        AddressReportingStream.ReportTo(call);
        var response = await base.SendAsync(request, cancellationToken);
        try
        {
            if (response.IsSuccessStatusCode)
            {
                call.Message = await ReadMessageAsync(response.Content, cancellationToken);
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
            int read;
            while ((read = await stream.ReadAsync(buffer.AsMemory(length, maxResponseBytes + 1 - length), cancellationToken)) > 0)
            {
                length += read;
                if (length > maxResponseBytes)
                {
                    throw TooLarge();
                }
            }
            return Parse(buffer.AsSpan(0, length));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private string Parse(ReadOnlySpan<byte> body)
    {
        try
        {
            return JsonSerializer.Deserialize(body, ContractJsonContext.Default.MessageResponse)?.Message
                ?? throw new UpstreamException(UpstreamFailure.InvalidBody, $"{upstream} answered JSON without a string \"message\".");
        }
        catch (JsonException e)
        {
            throw new UpstreamException(UpstreamFailure.InvalidBody, $"{upstream} answered a body that is not JSON with a string \"message\".", e);
        }
    }

    private UpstreamException TooLarge() =>
        new(UpstreamFailure.TooLarge, $"{upstream} answered a body over the {maxResponseBytes}-byte limit (Upstream:MaxResponseBytes).");
}
