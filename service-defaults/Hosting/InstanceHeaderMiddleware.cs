using MinikubeDemo.Contract;

namespace MinikubeDemo.ServiceDefaults.Hosting;

/// <summary>
/// Names the replica on every response (<c>X-Instance</c>), and once the host is stopping (the drain after SIGTERM)
/// asks each keep-alive client to close its connection, so that it moves to another replica before this one's
/// listener closes. The headers are set as the response starts, not on the way in: what answers before the rest of
/// the pipeline (CORS's preflight <c>204</c>) and what clears the headers set before it (the exception handler)
/// carry them too.
/// </summary>
internal sealed class InstanceHeaderMiddleware(RequestDelegate next, InstanceName instance, IHostApplicationLifetime lifetime)
{
    private readonly Func<object, Task> _stamp = state =>
    {
        var headers = ((HttpResponse)state).Headers;
        headers[DemoContract.Headers.Instance] = instance.Value;
        if (lifetime.ApplicationStopping.IsCancellationRequested)
        {
            headers.Connection = "close";
        }
        return Task.CompletedTask;
    };

    public Task InvokeAsync(HttpContext context)
    {
        context.Response.OnStarting(_stamp, context.Response);
        return next(context);
    }
}
