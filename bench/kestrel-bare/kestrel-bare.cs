#:sdk Microsoft.NET.Sdk.Web

// Diagnostic contestant of bench/: Kestrel answering GET / with the same JSON and nothing on top
// (no routing, middleware, request log or JSON serializer). It shows how much of the gap between
// the server and nginx is the HTTP stack itself rather than what the service adds.
var builder = WebApplication.CreateSlimBuilder(args);
builder.Logging.ClearProviders();
var app = builder.Build();

var body = """{"message":"Hello world!"}"""u8.ToArray();
app.Run(context =>
{
    context.Response.ContentType = "application/json";
    context.Response.ContentLength = body.Length;
    return context.Response.Body.WriteAsync(body).AsTask();
});

app.Run();
