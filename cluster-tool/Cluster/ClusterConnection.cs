using System.Net;
using k8s;
using k8s.Autorest;
using k8s.KubeConfigModels;

namespace MinikubeDemo.ClusterTool.Cluster;

/// <summary>A client for the cluster of the current kubeconfig context, with every way of not reaching it explained.</summary>
/// <param name="Namespace">The demo's namespace: the one asked for, else the context's, else default, as kubectl picks it.</param>
/// <param name="Context">The kubeconfig context, when there is one (not in a pod); kubectl is pointed at the same.</param>
/// <param name="Description">Context and API server address, for messages.</param>
/// <param name="KubeconfigFiles">The kubeconfig files read, which kubectl is given too (KUBECONFIG), so that both see the same cluster.</param>
internal sealed record ClusterConnection(Kubernetes Client, string Namespace, string? Context, string Description, IReadOnlyList<string> KubeconfigFiles) : IDisposable
{
    /// <summary>A cluster answers but refuses the kubeconfig's credentials: not the same as no cluster at all.</summary>
    public const int CredentialsRefusedExitCode = 3;

    private const string StartHint = "Start a cluster with `minikube start` (or point KUBECONFIG at one), then check it with `kubectl cluster-info`.";

    private static readonly TimeSpan ReachTimeout = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Connects with the context of <paramref name="kubeconfigFiles"/> (as KUBECONFIG lists them: the first file
    /// that names a current context gives it, and the first entry of each name wins, as kubectl merges them), or
    /// from inside a pod when there are none, and checks that the API server answers.
    /// </summary>
    public static async Task<ClusterConnection> ConnectAsync(IReadOnlyList<string> kubeconfigFiles, string? @namespace, CancellationToken cancellationToken)
    {
        // kubectl skips listed files that do not exist; so does this.
        var files = kubeconfigFiles.Where(File.Exists).ToList();
        KubernetesClientConfiguration config;
        try
        {
            config = files.Count == 0 && KubernetesClientConfiguration.IsInCluster()
                ? KubernetesClientConfiguration.InClusterConfig()
                : Merge(files) is { CurrentContext.Length: > 0 } merged
                    ? KubernetesClientConfiguration.BuildConfigFromConfigObject(merged)
                    // KubernetesClient would fall back to http://localhost:8080, which only ever says "connection refused".
                    : throw new ClusterToolException($"No Kubernetes cluster: there is no kubeconfig context (KUBECONFIG or ~/.kube/config names none, and this is not a pod). {StartHint}");
        }
        catch (Exception e) when (e is not ClusterToolException)
        {
            // Whatever fails here (YAML, a missing certificate file, an exec credential plugin) is the kubeconfig's.
            var source = files.Count > 0 ? string.Join(", ", files) : "in-cluster";
            throw new ClusterToolException($"The kubeconfig cannot be used ({source}: {e.Message.TrimEnd('.')}). {StartHint}", e);
        }

        var description = config.CurrentContext is { Length: > 0 } named ? $"context {named} ({config.Host})" : config.Host;
        var connection = new ClusterConnection(new Kubernetes(config), @namespace ?? config.Namespace ?? "default",
            config.CurrentContext is { Length: > 0 } current ? current : null, description, files);
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(ReachTimeout);
            await connection.Client.Version.GetCodeAsync(timeout.Token);
            return connection;
        }
        catch (Exception e) when (Explain(e, description, cancellationToken) is { } explained)
        {
            connection.Dispose();
            throw explained;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    /// <summary>The files as kubectl merges them; null when none holds anything.</summary>
    internal static K8SConfiguration? Merge(IEnumerable<string> files)
    {
        // kubectl reads a file with nothing in it (empty, or blank lines and comments) as an empty config (client-go
        // clientcmd/loader.go, Load); KubernetesClient reads it from a stream as null.
        var configs = files.Select(Load).OfType<K8SConfiguration>().ToList();
        if (configs.Count == 0)
        {
            return null;
        }

        var merged = configs[0];
        merged.CurrentContext = configs.Select(config => config.CurrentContext).FirstOrDefault(context => !string.IsNullOrEmpty(context));
        merged.Contexts = configs.SelectMany(config => config.Contexts ?? []).DistinctBy(context => context.Name).ToList();
        merged.Clusters = configs.SelectMany(config => config.Clusters ?? []).DistinctBy(cluster => cluster.Name).ToList();
        merged.Users = configs.SelectMany(config => config.Users ?? []).DistinctBy(user => user.Name).ToList();
        return merged;
    }

    /// <summary>
    /// One file, its certificate paths and an exec plugin's command path (not a bare name, found on PATH) made absolute
    /// against its own folder before the merge, as client-go's ResolveLocalPaths does; KubernetesClient would resolve
    /// them against the first file's folder. Null when the file holds nothing.
    /// </summary>
    private static K8SConfiguration? Load(string file)
    {
        using var stream = File.OpenRead(file);
        if (KubernetesClientConfiguration.LoadKubeConfig(stream) is not { } config)
        {
            return null;
        }

        var folder = Path.GetDirectoryName(Path.GetFullPath(file))!;
        string? Absolute(string? path) => string.IsNullOrEmpty(path) ? path : Path.GetFullPath(path, folder);
        foreach (var cluster in config.Clusters ?? [])
        {
            cluster.ClusterEndpoint?.CertificateAuthority = Absolute(cluster.ClusterEndpoint.CertificateAuthority);
        }

        foreach (var credentials in (config.Users ?? []).Select(user => user.UserCredentials).OfType<UserCredentials>())
        {
            credentials.ClientCertificate = Absolute(credentials.ClientCertificate);
            credentials.ClientKey = Absolute(credentials.ClientKey);
            if (credentials.ExternalExecution is { Command: { } command } exec && command.IndexOfAny(['/', Path.DirectorySeparatorChar]) >= 0)
            {
                exec.Command = Absolute(command);
            }
        }

        return config;
    }

    private static ClusterToolException? Explain(Exception failure, string description, CancellationToken cancellationToken) => failure switch
    {
        OperationCanceledException when !cancellationToken.IsCancellationRequested =>
            new ClusterToolException($"No Kubernetes cluster answers at {description} within {ReachTimeout.TotalSeconds:0} s. {StartHint}", failure),
        HttpRequestException =>
            new ClusterToolException($"No Kubernetes cluster answers at {description}: {failure.Message.TrimEnd('.')}. {StartHint}", failure),
        HttpOperationException { Response.StatusCode: HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden } refused =>
            new ClusterToolException(
                $"The cluster at {description} refused the kubeconfig's credentials ({(int)refused.Response.StatusCode}): refresh them (minikube: `minikube update-context`).",
                failure)
            {
                ExitCode = CredentialsRefusedExitCode,
            },
        _ => null,
    };

    public void Dispose() => Client.Dispose();
}
