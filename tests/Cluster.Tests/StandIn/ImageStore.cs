namespace MinikubeDemo.Cluster.Tests.StandIn;

/// <summary>
/// A container runtime's images by tag: a node's docker or containerd, or the host's Docker engine (which is the
/// node's own for Docker Desktop, Rancher Desktop on moby and minikube's none driver).
/// </summary>
internal sealed class ImageStore(string name)
{
    private readonly Dictionary<string, SimImage> _tags = new(StringComparer.Ordinal);

    public string Name { get; } = name;

    public SimImage? Find(string tag) => _tags.GetValueOrDefault(Normalise(tag));

    /// <summary>
    /// `docker load` and `ctr images import` move a tag that already exists to the new image, in use or not
    /// (moby image/tarexport/load.go setLoadedTag; containerd client/import.go, Update before Create).
    /// </summary>
    public void Tag(string tag, SimImage image) => _tags[Normalise(tag)] = image;

    public bool Untag(string tag) => _tags.Remove(Normalise(tag));

    public IReadOnlyDictionary<string, SimImage> Tags => _tags;

    /// <summary>containerd and buildctl name images fully (docker.io/library/x:1.0); docker and the manifests do not.</summary>
    private static string Normalise(string tag) => tag.StartsWith("docker.io/library/", StringComparison.Ordinal) ? tag["docker.io/library/".Length..] : tag;
}
