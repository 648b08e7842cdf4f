namespace MinikubeDemo.Contract;

/// <summary>
/// The chapter's contract: its object names and labels, its port and images, the bodies it shows, and the
/// headers through which a client sees which replica answered. One source for the services, the cluster tool
/// and every test tier; k8s/ spells the same names in YAML, and the manifest tests hold it to them.
/// </summary>
public static class DemoContract
{
    /// <summary>The course's port: both services listen on it and both Services expose it.</summary>
    public const int Port = 8000;

    /// <summary>The tag both images carry, as in the chapter; it never changes, so a rebuild needs a restart to roll out.</summary>
    public const string ImageTag = "1.0";

    /// <summary>The label key the chapter selects pods by: <c>app: &lt;name&gt;</c>.</summary>
    public const string AppLabel = "app";

    /// <summary>The server: <c>GET /</c> answers <see cref="Body"/>.</summary>
    public static class Server
    {
        public const string Name = "minikube-demo-server";
        public const string Deployment = Name + "-deployment";
        public const string Service = Name + "-service";
        public const string Image = Name + ":" + ImageTag;
        public const string Greeting = "Hello world!";
        public const string Body = """{"message":"Hello world!"}""";
        public const string IngressHost = "server.minikube-demo.localhost";
    }

    /// <summary>The fetcher: <c>GET /</c> calls the server by its Service's DNS name and answers <see cref="Body"/>.</summary>
    public static class Fetcher
    {
        public const string Name = "minikube-demo-server-fetcher";
        public const string Deployment = Name + "-deployment";
        public const string Service = Name + "-service";
        public const string Image = Name + ":" + ImageTag;
        public const string Prefix = "Fetched: ";
        public const string Body = """{"message":"Fetched: Hello world!"}""";
        public const string IngressHost = "fetcher.minikube-demo.localhost";

        /// <summary>Where the fetcher finds the server: its Service's name, which cluster DNS resolves in the same namespace.</summary>
        public const string UpstreamUrl = "http://" + Server.Service + ":8000";
    }

    /// <summary>Response headers that show which replica answered.</summary>
    public static class Headers
    {
        /// <summary>On every response: the pod (or host) name of the replica that answered.</summary>
        public const string Instance = "X-Instance";

        /// <summary>On the fetcher's answer: the server replica's <see cref="Instance"/>.</summary>
        public const string UpstreamInstance = "X-Upstream-Instance";

        /// <summary>
        /// On the fetcher's answer: the address and port it connected to for the upstream call that answered. In a
        /// cluster that is the Service's ClusterIP (kube-proxy then picks a pod); on a Docker network or behind a
        /// headless Service, the replica itself.
        /// </summary>
        public const string UpstreamAddress = "X-Upstream-Address";
    }

    /// <summary>The two apps, for whatever is done to each alike: building images, deploying, waiting.</summary>
    public static IReadOnlyList<DemoApp> Apps { get; } =
    [
        new(Server.Name, Server.Deployment, Server.Service, Server.Image, "Dockerfile.server", "server"),
        new(Fetcher.Name, Fetcher.Deployment, Fetcher.Service, Fetcher.Image, "Dockerfile.fetcher", "server-fetcher"),
    ];

    /// <summary>
    /// The Dockerfiles' base images are build arguments, so that a mirror or an air-gapped stand-in
    /// (docker/base-images/build.sh) can replace them; whoever builds passes on those the environment sets.
    /// </summary>
    public static IReadOnlyList<string> BaseImageArguments { get; } = ["SDK_IMAGE", "RUNTIME_DEPS_IMAGE"];
}

/// <summary>
/// One of the chapter's apps: its name (also the <c>app</c> label, the container's and the binary's name),
/// its Deployment, Service and image, and the Dockerfile and project folder it is built from.
/// </summary>
public sealed record DemoApp(string Name, string Deployment, string Service, string Image, string Dockerfile, string Project)
{
    public override string ToString() => Name;
}
