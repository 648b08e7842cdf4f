using System.Net;
using k8s;
using k8s.Autorest;
using k8s.Exceptions;

namespace MinikubeDemo.ClusterTool.Cluster;

/// <summary>A client for the cluster of the current kubeconfig context, with failures explained.</summary>
internal sealed class ClusterSession : IDisposable
{
    private const string StartHint = "Start a cluster with `minikube start` (or point KUBECONFIG at one), then check it with `kubectl cluster-info`.";

    private static readonly TimeSpan ReachTimeout = TimeSpan.FromSeconds(10);

    private ClusterSession(Kubernetes client, string @namespace, string? context, string description)
    {
        Client = client;
        Namespace = @namespace;
        Context = context;
        Description = description;
    }

    public Kubernetes Client { get; }

    /// <summary>The demo's namespace: the one asked for, else the context's, else default, as kubectl picks it.</summary>
    public string Namespace { get; }

    /// <summary>The kubeconfig context, when there is one (not in a pod); kubectl is pointed at the same.</summary>
    public string? Context { get; }

    /// <summary>Context and API server address, for messages.</summary>
    public string Description { get; }

    /// <summary>Connects with the default kubeconfig (KUBECONFIG, ~/.kube/config, or in-cluster) and checks the API server answers.</summary>
    public static async Task<ClusterSession> ConnectAsync(string? @namespace, CancellationToken cancellationToken)
    {
        var files = KubeconfigFiles();
        if (!KubernetesClientConfiguration.IsInCluster() && !HasCurrentContext(files))
        {
            // KubernetesClient would fall back to http://localhost:8080, which only ever says "connection refused".
            throw new ClusterToolException($"No Kubernetes cluster: there is no kubeconfig context (KUBECONFIG or ~/.kube/config names none, and this is not a pod). {StartHint}");
        }

        // kubectl skips listed files that do not exist and empty entries (a KUBECONFIG of ":~/.kube/k3d");
        // KubernetesClient fails on them: hand it only the files kubectl reads.
        if (Environment.GetEnvironmentVariable("KUBECONFIG") is not null)
        {
            Environment.SetEnvironmentVariable("KUBECONFIG", files.Count > 0 ? string.Join(Path.PathSeparator, files) : null);
        }

        KubernetesClientConfiguration config;
        try
        {
            config = KubernetesClientConfiguration.BuildDefaultConfig();
        }
        catch (Exception e) when (e is KubeConfigException or ArgumentException or YamlDotNet.Core.YamlException)
        {
            throw new ClusterToolException($"The kubeconfig cannot be used ({e.Message}). {StartHint}", e);
        }

        return await ConnectAsync(config, @namespace, cancellationToken);
    }

    public static async Task<ClusterSession> ConnectAsync(KubernetesClientConfiguration config, string? @namespace, CancellationToken cancellationToken)
    {
        var description = config.CurrentContext is { Length: > 0 } named
            ? $"context {named} ({config.Host})"
            : config.Host;
        var context = config.CurrentContext is { Length: > 0 } current ? current : null;
        var session = new ClusterSession(new Kubernetes(config), @namespace ?? config.Namespace ?? "default", context, description);
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(ReachTimeout);
            await session.Client.Version.GetCodeAsync(timeout.Token);
            return session;
        }
        catch (Exception e)
        {
            session.Dispose();
            if (Explain(e, description, cancellationToken) is { } explained)
            {
                throw explained;
            }

            throw;
        }
    }

    /// <summary>The kubeconfig files kubectl reads: KUBECONFIG's that exist, else ~/.kube/config if it does.</summary>
    private static List<string> KubeconfigFiles()
    {
        var paths = Environment.GetEnvironmentVariable("KUBECONFIG") is { } list
            ? list.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            : [Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".kube", "config")];
        return paths.Where(File.Exists).ToList();
    }

    /// <summary>Whether the kubeconfig files name a current context (when several are merged, the first that sets one gives it).</summary>
    private static bool HasCurrentContext(List<string> files)
    {
        try
        {
            return files.Any(path => KubernetesClientConfiguration.LoadKubeConfig(path) is { CurrentContext.Length: > 0 });
        }
        catch (Exception e) when (e is KubeConfigException or YamlDotNet.Core.YamlException)
        {
            throw new ClusterToolException($"The kubeconfig cannot be used ({e.Message}). {StartHint}", e);
        }
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
                ExitCode = Commands.CommandOutcome.CredentialsRefused,
            },
        _ => null,
    };

    public void Dispose() => Client.Dispose();
}
