#:sdk Microsoft.NET.Sdk.Web

// Diagnostic contestant of bench/: the least a fetcher can be on .NET. Kestrel and one pooled HttpClient, the
// upstream's body read whole and wrapped, nothing else (no routing, middleware, resilience pipeline, request log
// or JSON serializer). In front of bare Kestrel it shows how much of the fetcher chain's cost is the HTTP stack
// (two loopback hops and a client) rather than what the fetcher adds.
var builder = WebApplication.CreateSlimBuilder(args);
builder.Logging.ClearProviders();
var app = builder.Build();

var upstream = new Uri(app.Configuration["Upstream:BaseUrl"] ?? throw new InvalidOperationException("Upstream:BaseUrl is not set"));
using var client = new HttpClient(new SocketsHttpHandler { UseProxy = false, PooledConnectionLifetime = TimeSpan.FromSeconds(5) });
var prefix = "{\"message\":\"Fetched: "u8.ToArray();
var upstreamPrefix = "{\"message\":\""u8.Length;

app.Run(async context =>
{
    // {"message":"Hello world!"} -> {"message":"Fetched: Hello world!"}
    var body = await client.GetByteArrayAsync(upstream, context.RequestAborted);
    var message = body.AsMemory(upstreamPrefix);
    context.Response.ContentType = "application/json";
    context.Response.ContentLength = prefix.Length + message.Length;
    await context.Response.Body.WriteAsync(prefix, context.RequestAborted);
    await context.Response.Body.WriteAsync(message, context.RequestAborted);
});

app.Run();
