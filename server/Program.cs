using MinikubeDemo.Contract;
using MinikubeDemo.ServiceDefaults;
using MinikubeDemo.ServiceDefaults.Hosting;

// The course's server: GET / answers {"message":"Hello world!"}.
var builder = WebApplication.CreateSlimBuilder(args);
builder.AddServiceDefaults();

return builder.BuildAndRun(app =>
{
    app.UseServiceDefaults();
    app.MapDefaultEndpoints();

    var hello = new MessageResponse(DemoContract.Server.Greeting);
    app.MapMethods("/", ServiceDefaultsExtensions.GetAndHead, () => TypedResults.Ok(hello))
        .WithName("GetMessage")
        .WithSummary("Answers the course's greeting.");
});
