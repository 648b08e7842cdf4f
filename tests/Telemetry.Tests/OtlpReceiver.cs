using System.Collections.Concurrent;
using Google.Protobuf;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace MinikubeDemo.Telemetry.Tests;

/// <summary>One span as OTLP carries it: ids in hex, as W3C traceparent and the logs write them.</summary>
public sealed record ReceivedSpan(string TraceId, string SpanId, string ParentSpanId, string Name, SpanKind Kind);

/// <summary>OTLP's span kinds (opentelemetry/proto/trace/v1/trace.proto).</summary>
public enum SpanKind
{
    Unspecified = 0,
    Internal = 1,
    Server = 2,
    Client = 3,
}

/// <summary>
/// An in-process OTLP/HTTP receiver on a loopback port (OTEL_EXPORTER_OTLP_ENDPOINT with http/protobuf): it keeps
/// the spans posted to <c>/v1/traces</c>, and of the metrics posted to <c>/v1/metrics</c> the latest total of each
/// (the sum of a histogram's counts, of a sum's or a gauge's values) per service.
/// </summary>
public sealed class OtlpReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<ReceivedSpan> _spans = new();
    private readonly ConcurrentDictionary<(string Service, string Metric), double> _metrics = new();

    private OtlpReceiver(WebApplication app) => _app = app;

    public Uri Endpoint { get; private set; } = null!;

    public IReadOnlyList<ReceivedSpan> Spans => [.. _spans];

    /// <summary>The latest total of <paramref name="metric"/> pushed by <paramref name="service"/> (its service.name), if any.</summary>
    public double? Metric(string service, string metric) => _metrics.TryGetValue((service, metric), out var total) ? total : null;

    public static async Task<OtlpReceiver> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var receiver = new OtlpReceiver(app);
        app.MapPost("/v1/traces", async (HttpRequest request) =>
        {
            foreach (var span in ReadSpans(await BodyAsync(request)))
            {
                receiver._spans.Enqueue(span);
            }
            return Results.Bytes([], "application/x-protobuf");
        });
        app.MapPost("/v1/metrics", async (HttpRequest request) =>
        {
            foreach (var (service, metric, total) in ReadMetrics(await BodyAsync(request)))
            {
                receiver._metrics[(service, metric)] = total;
            }
            return Results.Bytes([], "application/x-protobuf");
        });
        await app.StartAsync();
        receiver.Endpoint = new Uri(app.Urls.Single());
        return receiver;
    }

    private static async Task<ByteString> BodyAsync(HttpRequest request)
    {
        using var body = new MemoryStream();
        await request.Body.CopyToAsync(body);
        return ByteString.CopyFrom(body.ToArray());
    }

    // ExportMetricsServiceRequest: resource_metrics = 1 → ResourceMetrics: resource = 1, scope_metrics = 2 →
    // ScopeMetrics: metrics = 2 → Metric: name = 1, gauge = 5, sum = 7, histogram = 9 → data_points = 1.
    private static IEnumerable<(string Service, string Metric, double Total)> ReadMetrics(ByteString request) =>
        from resourceMetrics in Messages(request, 1)
        let service = ServiceName(Messages(resourceMetrics, 1).Single())
        from scopeMetrics in Messages(resourceMetrics, 2)
        from metric in Messages(scopeMetrics, 2)
        select (service, ReadString(metric, 1), Total(metric));

    // Resource: attributes = 1 → KeyValue: key = 1, value = 2 → AnyValue: string_value = 1.
    private static string ServiceName(ByteString resource) =>
        Messages(resource, 1).Where(attribute => ReadString(attribute, 1) == "service.name")
            .Select(attribute => ReadString(Messages(attribute, 2).Single(), 1)).Single();

    // NumberDataPoint: as_double = 4 (double), as_int = 6 (sfixed64); HistogramDataPoint: count = 4 (fixed64).
    private static double Total(ByteString metric)
    {
        var total = 0.0;
        foreach (var (field, histogram) in new[] { (5, false), (7, false), (9, true) })
        {
            foreach (var point in Messages(metric, field).SelectMany(data => Messages(data, 1)))
            {
                var input = new CodedInputStream(point.ToByteArray());
                for (uint tag; (tag = input.ReadTag()) != 0;)
                {
                    switch (WireFormat.GetTagFieldNumber(tag))
                    {
                        case 4 when histogram: total += input.ReadFixed64(); break;
                        case 4: total += input.ReadDouble(); break;
                        case 6 when !histogram: total += input.ReadSFixed64(); break;
                        default: input.SkipLastField(); break;
                    }
                }
            }
        }
        return total;
    }

    private static string ReadString(ByteString message, int number)
    {
        var input = new CodedInputStream(message.ToByteArray());
        for (uint tag; (tag = input.ReadTag()) != 0;)
        {
            if (WireFormat.GetTagFieldNumber(tag) == number)
            {
                return input.ReadString();
            }
            input.SkipLastField();
        }
        return "";
    }

    // ExportTraceServiceRequest: resource_spans = 1 → ResourceSpans: scope_spans = 2 → ScopeSpans: spans = 2.
    private static IEnumerable<ReceivedSpan> ReadSpans(ByteString request) =>
        from resourceSpans in Messages(request, 1)
        from scopeSpans in Messages(resourceSpans, 2)
        from span in Messages(scopeSpans, 2)
        select ReadSpan(span);

    // Span: trace_id = 1, span_id = 2, parent_span_id = 4, name = 5, kind = 6.
    private static ReceivedSpan ReadSpan(ByteString span)
    {
        string traceId = "", spanId = "", parentSpanId = "", name = "";
        var kind = SpanKind.Unspecified;
        var input = new CodedInputStream(span.ToByteArray());
        for (uint tag; (tag = input.ReadTag()) != 0;)
        {
            switch (WireFormat.GetTagFieldNumber(tag))
            {
                case 1: traceId = Hex(input.ReadBytes()); break;
                case 2: spanId = Hex(input.ReadBytes()); break;
                case 4: parentSpanId = Hex(input.ReadBytes()); break;
                case 5: name = input.ReadString(); break;
                case 6: kind = (SpanKind)input.ReadEnum(); break;
                default: input.SkipLastField(); break;
            }
        }
        return new ReceivedSpan(traceId, spanId, parentSpanId, name, kind);
    }

    /// <summary>The embedded messages in field <paramref name="number"/> of <paramref name="message"/>.</summary>
    private static List<ByteString> Messages(ByteString message, int number)
    {
        var found = new List<ByteString>();
        var input = new CodedInputStream(message.ToByteArray());
        for (uint tag; (tag = input.ReadTag()) != 0;)
        {
            if (WireFormat.GetTagFieldNumber(tag) == number && WireFormat.GetTagWireType(tag) == WireFormat.WireType.LengthDelimited)
            {
                found.Add(input.ReadBytes());
            }
            else
            {
                input.SkipLastField();
            }
        }
        return found;
    }

    private static string Hex(ByteString bytes) => Convert.ToHexStringLower(bytes.Span);

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
