using MinikubeDemo.ServerFetcher.Fetch;
using MinikubeDemo.ServerFetcher.Upstream;
using MinikubeDemo.ServiceDefaults;
using MinikubeDemo.ServiceDefaults.Hosting;

// The course's server-fetcher: GET / asks minikube-demo-server-service for its message, found by DNS name.
var builder = WebApplication.CreateSlimBuilder(args);
builder.AddServiceDefaults();
builder.AddUpstreamClient();

return builder.BuildAndRun(app =>
{
    app.UseServiceDefaults();
    app.MapDefaultEndpoints();
    app.MapFetch();
});
