using Microsoft.AspNetCore.Http;
using MinikubeDemo.Contract;
using MinikubeDemo.ServiceDefaults.Shutdown;

namespace MinikubeDemo.ServiceDefaults.Hosting;

/// <summary>
/// Names the replica on every response (<c>X-Instance</c>), and while the service drains after SIGTERM asks each
/// keep-alive client to close its connection, so that it moves to another replica before this one's listener closes.
/// </summary>
internal sealed class InstanceHeaderMiddleware(RequestDelegate next, InstanceName instance, DrainState drain)
{
    public Task InvokeAsync(HttpContext context)
    {
        context.Response.Headers[DemoContract.Headers.Instance] = instance.Value;
        if (drain.IsDraining)
        {
            context.Response.Headers.Connection = "close";
        }
        return next(context);
    }
}
