using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using MinikubeDemo.Contract;

namespace MinikubeDemo.ServerFetcher.Tests;

/// <summary>
/// A real Kestrel on a free loopback port standing in for the server, whose behaviour a test sets and
/// changes at will: answer, fail, stall, reset, or send garbage.
/// </summary>
public sealed class StubUpstream : IAsyncDisposable
{
    private readonly WebApplication _app;
    private volatile RequestDelegate _behaviour = Answer(DemoContract.Server.Body);
    private int _requests;

    private StubUpstream(WebApplication app) => _app = app;

    public Uri BaseAddress { get; private set; } = null!;

    /// <summary>How many requests reached the stub: what a retry or an open circuit does is seen here.</summary>
    public int Requests => Volatile.Read(ref _requests);

    public static async Task<StubUpstream> StartAsync(IPAddress? address = null, int port = 0)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(address ?? IPAddress.Loopback, port));
        var app = builder.Build();
        var stub = new StubUpstream(app);
        app.Run(context =>
        {
            Interlocked.Increment(ref stub._requests);
            return stub._behaviour(context);
        });
        await app.StartAsync();
        stub.BaseAddress = new Uri(app.Urls.Single());
        return stub;
    }

    public void Behave(RequestDelegate behaviour) => _behaviour = behaviour;

    /// <summary>Behave as <paramref name="first"/> for the first <paramref name="count"/> requests from now, then as <paramref name="then"/>.</summary>
    public void Behave(int count, RequestDelegate first, RequestDelegate then)
    {
        var remaining = count;
        _behaviour = context => Interlocked.Decrement(ref remaining) >= 0 ? first(context) : then(context);
    }

    public static RequestDelegate Answer(string body, int status = StatusCodes.Status200OK, string contentType = "application/json", string? instance = null) =>
        context =>
        {
            context.Response.StatusCode = status;
            context.Response.ContentType = contentType;
            if (instance is not null)
            {
                context.Response.Headers[DemoContract.Headers.Instance] = instance;
            }
            return context.Response.WriteAsync(body);
        };

    public static RequestDelegate Status(int status) => context =>
    {
        context.Response.StatusCode = status;
        return Task.CompletedTask;
    };

    /// <summary>Drops the connection without an answer, as a crashing pod does.</summary>
    public static RequestDelegate Reset() => context =>
    {
        context.Abort();
        return Task.CompletedTask;
    };

    /// <summary>Sends the headers and part of the body, then drops the connection: a pod killed mid-answer.</summary>
    public static RequestDelegate ResetMidBody() => async context =>
    {
        context.Response.ContentType = "application/json";
        context.Response.ContentLength = 100;
        await context.Response.WriteAsync("{\"message\":");
        await context.Response.Body.FlushAsync();
        context.Abort();
    };

    public static RequestDelegate Stall(TimeSpan delay) => async context =>
    {
        try
        {
            await Task.Delay(delay, context.RequestAborted);
        }
        catch (OperationCanceledException)
        {
            return; // The fetcher gave up: that is what is being tested.
        }
        await Answer(DemoContract.Server.Body)(context);
    };

    public async ValueTask DisposeAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(1));
        await _app.StopAsync(timeout.Token);
        await _app.DisposeAsync();
    }
}
