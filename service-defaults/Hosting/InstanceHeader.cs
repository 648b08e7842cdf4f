using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using MinikubeDemo.Contract;
using MinikubeDemo.ServiceDefaults.Shutdown;

namespace MinikubeDemo.ServiceDefaults.Hosting;

/// <summary>
/// Puts <c>X-Instance</c> (and, while draining, <c>Connection: close</c>) on every response as its headers go out,
/// rather than on the way in: what answers before the rest of the pipeline (CORS's preflight <c>204</c>) and what
/// clears the headers set before it (the exception handler) would otherwise send a response without them.
/// </summary>
internal static class InstanceHeader
{
    public static IApplicationBuilder UseInstanceHeader(this IApplicationBuilder app)
    {
        var instance = app.ApplicationServices.GetRequiredService<InstanceName>().Value;
        var drain = app.ApplicationServices.GetRequiredService<DrainState>();
        Func<object, Task> stamp = state =>
        {
            var headers = ((HttpResponse)state).Headers;
            headers[DemoContract.Headers.Instance] = instance;
            if (drain.IsDraining)
            {
                // Move keep-alive clients off this replica before its listener closes.
                headers.Connection = "close";
            }
            return Task.CompletedTask;
        };
        return app.Use((context, next) =>
        {
            context.Response.OnStarting(stamp, context.Response);
            return next(context);
        });
    }
}
