using System.Globalization;
using k8s;
using k8s.Models;
using MinikubeDemo.Contract;
using MinikubeDemo.ServiceDefaults.Shutdown;

namespace MinikubeDemo.Cluster.Tests.Manifests;

/// <summary>k8s/ against the chapter's contract and the Pod Security Standards "restricted" profile.</summary>
public sealed class ManifestContractTests
{
    /// <summary>What the apps serve for probes: HealthEndpoints.LivenessPath and ReadinessPath in service-defaults/Health.</summary>
    private const string LivenessPath = "/healthz";
    private const string ReadinessPath = "/readyz";

    /// <summary>What Kubernetes gives a pod that does not say.</summary>
    private const int KubernetesDefaultGracePeriodSeconds = 30;

    /// <summary>Where the apps serve Prometheus metrics: TelemetryDefaults.MetricsPath in service-defaults/Telemetry.</summary>
    private const string MetricsPath = "/metrics";

    /// <summary>The namespace the NetworkPolicy lets Prometheus scrape the server from.</summary>
    private const string MonitoringNamespace = "monitoring";

    /// <summary>The seccomp profile types the restricted profile accepts.</summary>
    private static readonly string[] AllowedSeccompProfiles = ["RuntimeDefault", "Localhost"];

    private static readonly ManifestSet Manifests = ManifestSet.Load(RepositoryPaths.ManifestDirectory);

    public static TheoryData<string, string, string, int, string> ChapterApps => new()
    {
        { DemoContract.Server.Deployment, DemoContract.Server.Name, DemoContract.Server.Image, 2, DemoContract.Server.Service },
        { DemoContract.Fetcher.Deployment, DemoContract.Fetcher.Name, DemoContract.Fetcher.Image, 1, DemoContract.Fetcher.Service },
    };

    [Fact]
    public void Every_file_is_yaml_holding_one_kind_of_typed_Kubernetes_object()
    {
        // `kubectl apply -f k8s/` reads every file in the folder: anything else there would be applied too, or fail.
        foreach (var file in Directory.GetFiles(RepositoryPaths.ManifestDirectory))
        {
            Assert.EndsWith(".yaml", file, StringComparison.Ordinal);
        }

        Assert.NotEmpty(Manifests.Objects);
        foreach (var group in Manifests.Objects.GroupBy(entry => entry.File))
        {
            Assert.All(group, entry => Assert.IsAssignableFrom<IKubernetesObject<V1ObjectMeta>>(entry.Object));
            Assert.Single(group.Select(entry => entry.Object.GetType()).Distinct());
        }

        Assert.Equal(
            ["minikube-demo-ingress.yaml", "minikube-demo-server-deployment.yaml", "minikube-demo-server-fetcher-deployment.yaml",
             "minikube-demo-server-fetcher-service.yaml", "minikube-demo-server-networkpolicy.yaml", "minikube-demo-server-pdb.yaml",
             "minikube-demo-server-service.yaml"],
            Manifests.Objects.Select(entry => entry.File).Distinct().Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Strict_parsing_rejects_an_unknown_field()
    {
        // The guard the other tests rely on: a misspelt field must not be dropped silently.
        const string Misspelt = "apiVersion: v1\nkind: Service\nmetadata:\n  name: x\nspec:\n  selektor:\n    app: x\n";
        Assert.ThrowsAny<Exception>(() => KubernetesYaml.LoadAllFromString(Misspelt, strict: true));
    }

    [Theory]
    [MemberData(nameof(ChapterApps))]
    public void Deployment_has_the_chapters_name_labels_replicas_and_image(string name, string app, string image, int replicas, string service)
    {
        _ = service;
        var deployment = Manifests.Deployment(name);

        Assert.Equal(app, deployment.Metadata.Labels["app"]);
        Assert.Equal(replicas, deployment.Spec.Replicas);
        Assert.Equal(new Dictionary<string, string> { ["app"] = app }, deployment.Spec.Selector.MatchLabels);
        Assert.Null(deployment.Spec.Selector.MatchExpressions);
        Assert.Equal(app, deployment.Spec.Template.Metadata.Labels["app"]);

        var container = Assert.Single(deployment.Spec.Template.Spec.Containers);
        Assert.Equal(app, container.Name);
        Assert.Equal(image, container.Image);
        Assert.Equal("Never", container.ImagePullPolicy);
        var port = Assert.Single(container.Ports);
        Assert.Equal(DemoContract.Port, port.ContainerPort);
        Assert.Equal("TCP", port.Protocol);
    }

    [Theory]
    [MemberData(nameof(ChapterApps))]
    public void Service_is_the_chapters_LoadBalancer_selecting_its_deployments_pods(string deployment, string app, string image, int replicas, string name)
    {
        _ = (image, replicas);
        var service = Manifests.Service(name);

        Assert.Equal("LoadBalancer", service.Spec.Type);
        Assert.Equal(new Dictionary<string, string> { ["app"] = app }, service.Spec.Selector);
        Assert.Equal(app, service.Metadata.Labels["app"]);
        var port = Assert.Single(service.Spec.Ports);
        Assert.Equal(DemoContract.Port, port.Port);
        Assert.Equal("TCP", port.Protocol);

        // The target port must name or number a port of the container the selector picks.
        var template = Manifests.Deployment(deployment).Spec.Template;
        Assert.True(Selects(service.Spec.Selector, template.Metadata.Labels), $"{name}'s selector does not match {deployment}'s pod labels");
        Assert.Equal(DemoContract.Port, ResolvePort(port.TargetPort, Assert.Single(template.Spec.Containers)));
    }

    [Fact]
    public void Every_service_selects_pods_of_some_deployment()
    {
        foreach (var service in Manifests.OfType<V1Service>())
        {
            Assert.Contains(Manifests.OfType<V1Deployment>(), deployment => Selects(service.Spec.Selector, deployment.Spec.Template.Metadata.Labels));
        }
    }

    [Fact]
    public void Fetcher_calls_the_server_by_its_Service_name_and_port()
    {
        var container = Assert.Single(Manifests.Deployment(DemoContract.Fetcher.Deployment).Spec.Template.Spec.Containers);
        var baseUrl = new Uri(Assert.Single(container.Env, variable => variable.Name == "Upstream__BaseUrl").Value);

        var server = Manifests.Service(DemoContract.Server.Service);
        Assert.Equal(server.Metadata.Name, baseUrl.Host);
        Assert.Equal(Assert.Single(server.Spec.Ports).Port, baseUrl.Port);
    }

    [Fact]
    public void Probes_ask_the_health_endpoints_the_apps_serve_on_their_port()
    {
        foreach (var container in Containers())
        {
            Assert.Equal(ReadinessPath, container.ReadinessProbe?.HttpGet?.Path);
            Assert.Equal(LivenessPath, container.LivenessProbe?.HttpGet?.Path);
            Assert.Equal(DemoContract.Port, ResolvePort(container.ReadinessProbe!.HttpGet.Port, container));
            Assert.Equal(DemoContract.Port, ResolvePort(container.LivenessProbe!.HttpGet.Port, container));
        }
    }

    [Fact]
    public void Pods_carry_the_conventional_prometheus_scrape_annotations_for_the_metrics_the_apps_serve()
    {
        foreach (var deployment in Manifests.OfType<V1Deployment>())
        {
            var annotations = deployment.Spec.Template.Metadata.Annotations;
            var container = Assert.Single(deployment.Spec.Template.Spec.Containers);

            Assert.Equal("true", annotations["prometheus.io/scrape"]);
            Assert.Equal(MetricsPath, annotations["prometheus.io/path"]);
            var port = int.Parse(annotations["prometheus.io/port"], System.Globalization.CultureInfo.InvariantCulture);
            Assert.Equal(DemoContract.Port, port);
            Assert.Contains(container.Ports, containerPort => containerPort.ContainerPort == port);
        }
    }

    [Fact]
    public void Pods_get_POD_NAME_resources_no_token_and_a_grace_period_covering_the_drain()
    {
        foreach (var deployment in Manifests.OfType<V1Deployment>())
        {
            var pod = deployment.Spec.Template.Spec;
            Assert.False(pod.AutomountServiceAccountToken ?? true, $"{deployment.Metadata.Name} mounts a service account token");

            var container = Assert.Single(pod.Containers);
            // The app's shutdown settings as this pod gives them: the app checks at start that its drain and the
            // in-flight grace fit its grace period, which must be no longer than the one Kubernetes gives the pod.
            var shutdown = ShutdownSettings(container);
            Assert.True(
                shutdown.TerminationGracePeriodSeconds <= (pod.TerminationGracePeriodSeconds ?? KubernetesDefaultGracePeriodSeconds),
                $"{deployment.Metadata.Name}: the app assumes a {shutdown.TerminationGracePeriodSeconds} s grace period, the pod gets {pod.TerminationGracePeriodSeconds} s");
            var check = new ShutdownOptionsValidator().Validate(null, shutdown);
            Assert.True(check.Succeeded, $"{deployment.Metadata.Name}: {check.FailureMessage}");

            var podName = Assert.Single(container.Env, variable => variable.Name == "POD_NAME");
            Assert.Equal("metadata.name", podName.ValueFrom?.FieldRef?.FieldPath);

            foreach (var resource in new[] { "cpu", "memory" })
            {
                var request = container.Resources.Requests[resource].ToDecimal();
                var limit = container.Resources.Limits[resource].ToDecimal();
                Assert.True(request > 0 && request <= limit, $"{container.Name}: {resource} request {request} must be positive and within the limit {limit}");
            }
        }
    }

    [Fact]
    public void Every_container_meets_the_restricted_Pod_Security_Standard()
    {
        foreach (var deployment in Manifests.OfType<V1Deployment>())
        {
            var pod = deployment.Spec.Template.Spec;
            Assert.NotEqual(true, pod.HostNetwork);
            Assert.NotEqual(true, pod.HostPID);
            Assert.NotEqual(true, pod.HostIPC);
            Assert.All(pod.Volumes ?? [], volume => Assert.Null(volume.HostPath));

            foreach (var container in pod.Containers.Concat(pod.InitContainers ?? []))
            {
                var own = container.SecurityContext;
                var shared = pod.SecurityContext;
                var where = $"{deployment.Metadata.Name}/{container.Name}";

                Assert.True(own?.RunAsNonRoot ?? shared?.RunAsNonRoot, $"{where}: runAsNonRoot");
                Assert.NotEqual(0, own?.RunAsUser ?? shared?.RunAsUser);
                Assert.True(own?.AllowPrivilegeEscalation == false, $"{where}: allowPrivilegeEscalation must be false");
                Assert.NotEqual(true, own?.Privileged);
                Assert.True(own?.ReadOnlyRootFilesystem, $"{where}: readOnlyRootFilesystem");
                Assert.Equal(["ALL"], own?.Capabilities?.Drop ?? []);
                Assert.Empty(own?.Capabilities?.Add ?? []);
                Assert.Contains((own?.SeccompProfile ?? shared?.SeccompProfile)?.Type, AllowedSeccompProfiles);
                Assert.All(container.Ports ?? [], port => Assert.Null(port.HostPort));
            }
        }
    }

    [Fact]
    public void Ingress_routes_one_host_to_the_fetcher_and_another_to_the_server_with_the_default_class()
    {
        var ingress = Assert.Single(Manifests.OfType<V1Ingress>());
        // No class named: minikube's ingress addon and k3s's Traefik each register theirs as the default.
        Assert.Null(ingress.Spec.IngressClassName);

        var routes = ingress.Spec.Rules.ToDictionary(rule => rule.Host, rule => Assert.Single(rule.Http.Paths));
        Assert.Equal(DemoContract.Fetcher.Service, routes[DemoContract.Fetcher.IngressHost].Backend.Service.Name);
        Assert.Equal(DemoContract.Server.Service, routes[DemoContract.Server.IngressHost].Backend.Service.Name);

        foreach (var path in routes.Values)
        {
            Assert.Equal("/", path.Path);
            Assert.Equal("Prefix", path.PathType);
            var service = Manifests.Service(path.Backend.Service.Name);
            Assert.Contains(service.Spec.Ports, port => port.Port == path.Backend.Service.Port.Number);
        }
    }

    [Fact]
    public void NetworkPolicy_admits_only_the_fetcher_the_ingress_controller_and_prometheus_to_the_server_port()
    {
        var policy = Assert.Single(Manifests.OfType<V1NetworkPolicy>());
        Assert.Equal(new Dictionary<string, string> { ["app"] = DemoContract.Server.Name }, policy.Spec.PodSelector.MatchLabels);
        Assert.Contains("Ingress", policy.Spec.PolicyTypes);

        var rule = Assert.Single(policy.Spec.Ingress);
        var port = Assert.Single(rule.Ports);
        Assert.Equal(DemoContract.Port, port.Port.ToInt());
        Assert.Equal("TCP", port.Protocol);

        Assert.Equal(3, rule.FromProperty.Count);
        Assert.All(rule.FromProperty, peer => Assert.Null(peer.IpBlock));
        // A peer with only a podSelector means pods of the policy's own namespace.
        Assert.Contains(rule.FromProperty, peer =>
            peer is { NamespaceSelector: null } &&
            peer.PodSelector?.MatchLabels?.SequenceEqual(new Dictionary<string, string> { ["app"] = DemoContract.Fetcher.Name }) == true);

        // Any pod of the monitoring namespace: Prometheus scraping /metrics (NetworkPolicy cannot narrow it to a path).
        var monitoring = Assert.Single(rule.FromProperty, peer => peer is { NamespaceSelector: not null, PodSelector: null });
        Assert.Equal(new Dictionary<string, string> { ["kubernetes.io/metadata.name"] = MonitoringNamespace }, monitoring.NamespaceSelector.MatchLabels);
        Assert.Null(monitoring.NamespaceSelector.MatchExpressions);

        var controller = Assert.Single(rule.FromProperty, peer => peer is { NamespaceSelector: not null, PodSelector: not null });
        Assert.Equal(["ingress-nginx", "kube-system"], Values(controller.NamespaceSelector, "kubernetes.io/metadata.name"));
        Assert.Equal(["ingress-nginx", "traefik"], Values(controller.PodSelector, "app.kubernetes.io/name"));
    }

    [Fact]
    public void A_node_drain_may_take_one_server_replica_not_both()
    {
        var budget = Assert.Single(Manifests.OfType<V1PodDisruptionBudget>());
        var server = Manifests.Deployment(DemoContract.Server.Deployment);

        Assert.True(Selects(budget.Spec.Selector.MatchLabels, server.Spec.Template.Metadata.Labels), "the budget must select the server's pods");
        Assert.Null(budget.Spec.MinAvailable);
        // One of the two replicas at a time; and a drain is never blocked for good once scaled to one.
        Assert.Equal(1, budget.Spec.MaxUnavailable.ToInt());
        Assert.True(budget.Spec.MaxUnavailable.ToInt() < server.Spec.Replicas);
        Assert.Equal("AlwaysAllow", budget.Spec.UnhealthyPodEvictionPolicy);
        Assert.DoesNotContain(Manifests.OfType<V1Deployment>(), deployment =>
            deployment != server && Selects(budget.Spec.Selector.MatchLabels, deployment.Spec.Template.Metadata.Labels));
    }

    [Fact]
    public void Server_replicas_spread_over_nodes_yet_still_schedule_on_one()
    {
        var pod = Manifests.Deployment(DemoContract.Server.Deployment).Spec.Template;
        var spread = Assert.Single(pod.Spec.TopologySpreadConstraints);

        Assert.Equal("kubernetes.io/hostname", spread.TopologyKey);
        Assert.Equal(1, spread.MaxSkew);
        Assert.Equal("ScheduleAnyway", spread.WhenUnsatisfiable);
        Assert.True(Selects(spread.LabelSelector.MatchLabels, pod.Metadata.Labels), "the spread must count the server's own pods");
        Assert.Equal(["pod-template-hash"], spread.MatchLabelKeys);
    }

    [Fact]
    public void The_cluster_tool_uses_the_names_in_k8s()
    {
        Assert.Equal(
            Manifests.OfType<V1Deployment>().Select(deployment => deployment.Metadata.Name).Order(StringComparer.Ordinal),
            DemoContract.Apps.Select(app => app.Deployment).ToList().Order(StringComparer.Ordinal));
        Assert.Equal(
            Manifests.OfType<V1Service>().Select(service => service.Metadata.Name).Order(StringComparer.Ordinal),
            new[] { DemoContract.Fetcher.Service, DemoContract.Server.Service }.Order(StringComparer.Ordinal));
    }

    private static IEnumerable<V1Container> Containers() =>
        Manifests.OfType<V1Deployment>().SelectMany(deployment => deployment.Spec.Template.Spec.Containers);

    private static bool Selects(IDictionary<string, string> selector, IDictionary<string, string> labels) =>
        selector.Count > 0 && selector.All(pair => labels.TryGetValue(pair.Key, out var value) && value == pair.Value);

    /// <summary>A port given by number or by the name of one of the container's ports.</summary>
    private static int ResolvePort(IntOrString port, V1Container container) =>
        int.TryParse(port.Value, out var number)
            ? number
            : Assert.Single(container.Ports, containerPort => containerPort.Name == port.Value).ContainerPort;

    private static IEnumerable<string> Values(V1LabelSelector selector, string key)
    {
        Assert.Null(selector.MatchLabels);
        var expression = Assert.Single(selector.MatchExpressions);
        Assert.Equal(key, expression.Key);
        Assert.Equal("In", expression.OperatorProperty);
        return expression.Values.Order(StringComparer.Ordinal);
    }

    /// <summary>The Shutdown settings a container's environment gives the app, over the app's own defaults.</summary>
    private static ShutdownOptions ShutdownSettings(V1Container container)
    {
        var options = new ShutdownOptions();
        foreach (var variable in container.Env ?? [])
        {
            switch (variable.Name)
            {
                case "Shutdown__DrainDelay":
                    options.DrainDelay = TimeSpan.Parse(variable.Value, CultureInfo.InvariantCulture);
                    break;
                case "Shutdown__TerminationGracePeriodSeconds":
                    options.TerminationGracePeriodSeconds = int.Parse(variable.Value, CultureInfo.InvariantCulture);
                    break;
            }
        }
        return options;
    }
}
