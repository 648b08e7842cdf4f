using k8s;
using k8s.Models;
using MinikubeDemo.Contract;

namespace MinikubeDemo.Cluster.Tests.Manifests;

/// <summary>
/// k8s/gateway-api/: the Gateway API path beside the Ingress, for the same hosts and backends. KubernetesClient
/// has no Gateway API models, so the few fields the demo uses are modelled here, and parsed strictly.
/// </summary>
public sealed class GatewayApiManifestTests
{
    private static readonly string Folder = Path.Combine(RepositoryPaths.ManifestDirectory, "gateway-api");

    private static readonly Dictionary<string, Type> GatewayApiTypes = new()
    {
        ["gateway.networking.k8s.io/v1/Gateway"] = typeof(Gateway),
        ["gateway.networking.k8s.io/v1/HTTPRoute"] = typeof(HttpRoute),
        ["helm.cattle.io/v1/HelmChartConfig"] = typeof(HelmChartConfig),
    };

    private static readonly ManifestSet Chapter = ManifestSet.Load(RepositoryPaths.ManifestDirectory);

    [Fact]
    public void Routes_each_host_of_the_Ingress_to_the_same_Service_and_port()
    {
        var routes = Load<HttpRoute>(Folder);
        var ingress = Assert.Single(Chapter.OfType<V1Ingress>());

        var byGateway = routes.SelectMany(route => route.Spec.Hostnames.Select(host => (host, Backend: Assert.Single(Assert.Single(route.Spec.Rules).BackendRefs))))
            .ToDictionary(entry => entry.host, entry => (entry.Backend.Name, entry.Backend.Port));
        var byIngress = ingress.Spec.Rules.ToDictionary(rule => rule.Host, rule => (Assert.Single(rule.Http.Paths).Backend.Service.Name, Assert.Single(rule.Http.Paths).Backend.Service.Port.Number!.Value));

        Assert.Equal(byIngress.OrderBy(pair => pair.Key, StringComparer.Ordinal), byGateway.OrderBy(pair => pair.Key, StringComparer.Ordinal));
        foreach (var (service, port) in byGateway.Values)
        {
            Assert.Contains(Chapter.Service(service).Spec.Ports, servicePort => servicePort.Port == port);
        }

        Assert.All(routes, route => Assert.Equal(PathMatch.Root, Assert.Single(Assert.Single(route.Spec.Rules).Matches).Path));
    }

    [Fact]
    public void Every_route_attaches_to_the_demos_Gateway_listener_in_its_own_namespace()
    {
        var gateway = Assert.Single(Load<Gateway>(Folder));
        var listener = Assert.Single(gateway.Spec.Listeners);

        Assert.Equal("HTTP", listener.Protocol);
        Assert.Equal("Same", listener.AllowedRoutes.Namespaces.From);
        Assert.All(Load<HttpRoute>(Folder), route =>
        {
            var parent = Assert.Single(route.Spec.ParentRefs);
            Assert.Equal(gateway.Metadata.Name, parent.Name);
            Assert.Equal(listener.Name, parent.SectionName);
            Assert.Null(route.Metadata.NamespaceProperty);
        });
    }

    [Fact]
    public void The_k3s_config_turns_on_the_Traefik_Gateway_provider_and_the_class_the_Gateway_names()
    {
        var config = Assert.Single(Load<HelmChartConfig>(Path.Combine(Folder, "k3s")));
        var gateway = Assert.Single(Load<Gateway>(Folder));

        // It must carry the name and namespace of k3s's own HelmChart to change it.
        Assert.Equal(("traefik", "kube-system"), (config.Metadata.Name, config.Metadata.NamespaceProperty));
        var values = new YamlDotNet.Serialization.DeserializerBuilder().Build().Deserialize<Dictionary<string, Dictionary<string, object>>>(config.Spec.ValuesContent);
        Assert.Equal("true", ((Dictionary<object, object>)values["providers"]["kubernetesGateway"])["enabled"]);
        Assert.Equal("true", values["gatewayClass"]["enabled"]);
        Assert.Equal("false", values["gateway"]["enabled"]);
        Assert.Equal("traefik", gateway.Spec.GatewayClassName);
        // Traefik serves a listener only on one of its entry points: "web" is 8000 inside its pod.
        Assert.Equal(8000, Assert.Single(gateway.Spec.Listeners).Port);
    }

    [Fact]
    public void Stays_out_of_kubectl_apply_f_k8s_which_must_not_need_the_Gateway_API_CRDs()
    {
        // kubectl apply -f k8s/ reads the folder's files, not its subfolders (no -R): none of these is among them.
        Assert.DoesNotContain(Chapter.Objects, entry => entry.Object is not IKubernetesObject<V1ObjectMeta> typed || typed.ApiVersion.StartsWith("gateway.networking.k8s.io", StringComparison.Ordinal));
        Assert.NotEmpty(Directory.GetFiles(Folder, "*.yaml"));
    }

    private static List<T> Load<T>(string folder) =>
        Directory.GetFiles(folder, "*.yaml").Order(StringComparer.Ordinal)
            .SelectMany(file => KubernetesYaml.LoadAllFromString(File.ReadAllText(file), GatewayApiTypes, strict: true))
            .OfType<T>()
            .ToList();

    public sealed class Gateway : KubernetesObject, IKubernetesObject<V1ObjectMeta>
    {
        public V1ObjectMeta Metadata { get; set; } = new();

        public GatewaySpec Spec { get; set; } = new();
    }

    public sealed class GatewaySpec
    {
        public string GatewayClassName { get; set; } = "";

        public List<Listener> Listeners { get; set; } = [];
    }

    public sealed class Listener
    {
        public string Name { get; set; } = "";

        public string Protocol { get; set; } = "";

        public int Port { get; set; }

        public AllowedRoutes AllowedRoutes { get; set; } = new();
    }

    public sealed class AllowedRoutes
    {
        public RouteNamespaces Namespaces { get; set; } = new();
    }

    public sealed class RouteNamespaces
    {
        public string From { get; set; } = "";
    }

    public sealed class HttpRoute : KubernetesObject, IKubernetesObject<V1ObjectMeta>
    {
        public V1ObjectMeta Metadata { get; set; } = new();

        public HttpRouteSpec Spec { get; set; } = new();
    }

    public sealed class HttpRouteSpec
    {
        public List<ParentRef> ParentRefs { get; set; } = [];

        public List<string> Hostnames { get; set; } = [];

        public List<RouteRule> Rules { get; set; } = [];
    }

    public sealed class ParentRef
    {
        public string Name { get; set; } = "";

        public string SectionName { get; set; } = "";
    }

    public sealed class RouteRule
    {
        public List<RouteMatch> Matches { get; set; } = [];

        public List<BackendRef> BackendRefs { get; set; } = [];
    }

    public sealed class RouteMatch
    {
        public PathMatch Path { get; set; } = new("", "");
    }

    public sealed record PathMatch(string Type, string Value)
    {
        public static PathMatch Root { get; } = new("PathPrefix", "/");

        public PathMatch()
            : this("", "")
        {
        }
    }

    public sealed class BackendRef
    {
        public string Name { get; set; } = "";

        public int Port { get; set; }
    }

    public sealed class HelmChartConfig : KubernetesObject, IKubernetesObject<V1ObjectMeta>
    {
        public V1ObjectMeta Metadata { get; set; } = new();

        public HelmChartConfigSpec Spec { get; set; } = new();
    }

    public sealed class HelmChartConfigSpec
    {
        public string ValuesContent { get; set; } = "";
    }
}
