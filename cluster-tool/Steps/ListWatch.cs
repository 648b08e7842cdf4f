using k8s;
using k8s.Autorest;
using k8s.Models;

namespace MinikubeDemo.ClusterTool.Steps;

/// <summary>
/// Keeps a copy of a list of objects current with the API's watch, not by polling: list, then watch from the
/// list's version. When a watch ends, whether its time is up, the connection dropped or the version is too old,
/// it lists again, so no change is missed.
/// </summary>
internal static class ListWatch
{
    private static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(1);

    /// <param name="changed">Every object, each time one changes (and after each list).</param>
    /// <param name="relisted">Each time a watch ended, before the objects are listed again a second later.</param>
    public static async Task RunAsync<T>(
        Func<CancellationToken, Task<(IList<T> Items, string? Version)>> list,
        Func<string?, CancellationToken, IAsyncEnumerable<(WatchEventType Type, T Item)>> watch,
        Action<IReadOnlyList<T>> changed,
        Action relisted,
        CancellationToken cancellationToken)
        where T : IKubernetesObject<V1ObjectMeta>
    {
        for (var first = true; ; first = false)
        {
            if (!first)
            {
                relisted();
                // A watch refused or ended at once (the API server closes it after an ERROR event such as 410 Expired)
                // must not become a loop of requests as fast as the API answers.
                await Task.Delay(RetryDelay, cancellationToken);
            }

            Dictionary<string, T> objects;
            string? version;
            try
            {
                var listed = await list(cancellationToken);
                objects = listed.Items.ToDictionary(item => item.Metadata.Name, StringComparer.Ordinal);
                version = listed.Version;
            }
            catch (Exception e) when (Lost(e, cancellationToken))
            {
                continue;
            }

            changed([.. objects.Values]);
            try
            {
                // Bookmarks only move the version on, and the next list starts afresh anyway.
                await foreach (var (type, item) in watch(version, cancellationToken).Where(change => change.Type is WatchEventType.Added or WatchEventType.Modified or WatchEventType.Deleted))
                {
                    if (type == WatchEventType.Deleted)
                    {
                        objects.Remove(item.Metadata.Name);
                    }
                    else
                    {
                        objects[item.Metadata.Name] = item;
                    }

                    changed([.. objects.Values]);
                }
            }
            catch (Exception e) when (Lost(e, cancellationToken))
            {
                // A watch that closes without an event, or drops, ends this way: list again.
            }
        }
    }

    private static bool Lost(Exception e, CancellationToken cancellationToken) =>
        !cancellationToken.IsCancellationRequested && e is HttpRequestException or HttpOperationException or IOException;
}
