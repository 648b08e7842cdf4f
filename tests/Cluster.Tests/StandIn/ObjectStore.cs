using System.Globalization;
using System.Threading.Channels;
using k8s;
using k8s.Models;

namespace MinikubeDemo.Cluster.Tests.StandIn;

/// <summary>One change of one object, as a watch streams it: its resource version, type and the object as it was then.</summary>
internal sealed record StoreEvent(long Version, string Resource, string Namespace, string Type, string Json, IDictionary<string, string>? Labels, string Name);

/// <summary>
/// The API server's storage: objects by resource, namespace and name, each change numbered with a resource version
/// and kept, so that a watch started from a list's version sees every change after it (as etcd's watch does).
/// Not thread-safe: the cluster holds its lock around every call.
/// </summary>
internal sealed class ObjectStore
{
    private readonly Dictionary<(string Resource, string Namespace, string Name), (IKubernetesObject<V1ObjectMeta> Object, string Json)> _objects = [];
    private readonly List<StoreEvent> _history = [];
    private readonly List<Channel<StoreEvent>> _watchers = [];
    private long _version = 1000;

    public long Version => _version;

    public IEnumerable<T> List<T>(string resource, string? @namespace = null)
        where T : IKubernetesObject<V1ObjectMeta> =>
        _objects.Where(entry => entry.Key.Resource == resource && (@namespace is null || entry.Key.Namespace == @namespace))
            .OrderBy(entry => entry.Key.Name, StringComparer.Ordinal)
            .Select(entry => (T)entry.Value.Object)
            .ToList();

    public T? Get<T>(string resource, string @namespace, string name)
        where T : class, IKubernetesObject<V1ObjectMeta> =>
        _objects.TryGetValue((resource, @namespace, name), out var found) ? (T)found.Object : null;

    /// <summary>Creates or updates the object; a change (anything but the resource version) is numbered and streamed.</summary>
    public void Put(string resource, IKubernetesObject<V1ObjectMeta> item)
    {
        var metadata = item.Metadata;
        var key = (resource, metadata.NamespaceProperty ?? "", metadata.Name);
        var existed = _objects.TryGetValue(key, out var before);
        metadata.Uid ??= Guid.NewGuid().ToString();
        metadata.CreationTimestamp ??= DateTime.UtcNow;
        metadata.ResourceVersion = existed ? before.Object.Metadata.ResourceVersion : "0";
        var json = KubernetesJson.Serialize(item);
        if (existed && json == before.Json)
        {
            _objects[key] = (item, json);
            return;
        }

        metadata.ResourceVersion = (++_version).ToString(CultureInfo.InvariantCulture);
        json = KubernetesJson.Serialize(item);
        _objects[key] = (item, json);
        Publish(new StoreEvent(_version, resource, key.Item2, existed ? "MODIFIED" : "ADDED", json, metadata.Labels, metadata.Name));
    }

    public void Remove(string resource, string @namespace, string name)
    {
        if (_objects.Remove((resource, @namespace, name), out var removed))
        {
            _version++;
            Publish(new StoreEvent(_version, resource, @namespace, "DELETED", removed.Json, removed.Object.Metadata.Labels, name));
        }
    }

    /// <summary>A feed of every change after <paramref name="version"/>, the ones already made first.</summary>
    public ChannelReader<StoreEvent> Watch(long version)
    {
        var feed = Channel.CreateUnbounded<StoreEvent>();
        foreach (var change in _history.Where(change => change.Version > version))
        {
            feed.Writer.TryWrite(change);
        }

        _watchers.Add(feed);
        return feed.Reader;
    }

    public void StopWatching(ChannelReader<StoreEvent> feed) => _watchers.RemoveAll(watcher => watcher.Reader == feed);

    /// <summary>Ends every watch, as an API server does when it restarts or a connection drops.</summary>
    public void EndWatches()
    {
        foreach (var watcher in _watchers)
        {
            watcher.Writer.TryComplete();
        }

        _watchers.Clear();
    }

    public int Watchers => _watchers.Count;

    private void Publish(StoreEvent change)
    {
        _history.Add(change);
        foreach (var watcher in _watchers)
        {
            watcher.Writer.TryWrite(change);
        }
    }
}
