using MinikubeDemo.Contract;

namespace MinikubeDemo.ServiceDefaults.Hosting;

/// <summary>
/// Names the replica on every response (<c>X-Instance</c>) and, while draining after SIGTERM, asks keep-alive clients to
/// reconnect elsewhere. Set as the response starts, so that CORS's preflight and the exception handler's answers carry them too.
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
