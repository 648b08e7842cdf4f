using k8s;
using k8s.Models;

namespace MinikubeDemo.Cluster.Tests.Manifests;

/// <summary>Every object in k8s/, parsed strictly into KubernetesClient's typed models (an unknown field throws).</summary>
internal sealed class ManifestSet
{
    private ManifestSet(IReadOnlyList<(string File, object Object)> objects) => Objects = objects;

    public IReadOnlyList<(string File, object Object)> Objects { get; }

    public static ManifestSet Load(string directory)
    {
        var objects = new List<(string, object)>();
        foreach (var file in Directory.GetFiles(directory).Order(StringComparer.Ordinal))
        {
            foreach (var parsed in KubernetesYaml.LoadAllFromString(File.ReadAllText(file), strict: true))
            {
                objects.Add((Path.GetFileName(file), parsed));
            }
        }

        return new ManifestSet(objects);
    }

    public IEnumerable<T> OfType<T>() => Objects.Select(entry => entry.Object).OfType<T>();

    public V1Deployment Deployment(string name) => Single<V1Deployment>(name, deployment => deployment.Metadata.Name);

    public V1Service Service(string name) => Single<V1Service>(name, service => service.Metadata.Name);

    private T Single<T>(string name, Func<T, string> nameOf)
    {
        var matches = OfType<T>().Where(item => nameOf(item) == name).ToList();
        Assert.True(matches.Count == 1, $"k8s/ should hold exactly one {typeof(T).Name} named {name}, found {matches.Count}");
        return matches[0];
    }
}
