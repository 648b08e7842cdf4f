using System.Text.RegularExpressions;

namespace MinikubeDemo.Cluster.Tests.Tool;

/// <summary>
/// The cluster tool's folders depend one way: Commands on Steps on Cluster, each folder its own namespace, and
/// nothing at the top but Program.cs. A newcomer can then read it from the bottom up.
/// </summary>
public sealed partial class LayeringTests
{
    private static readonly string[] Layers = ["Cluster", "Steps", "Commands"];

    private static string ToolDirectory => Path.Combine(RepositoryPaths.Root, "cluster-tool");

    [Fact]
    public void Each_folder_uses_only_the_folders_below_it()
    {
        var upward = new List<string>();
        for (var layer = 0; layer < Layers.Length; layer++)
        {
            var above = Layers[(layer + 1)..];
            foreach (var file in Directory.EnumerateFiles(Path.Combine(ToolDirectory, Layers[layer]), "*.cs"))
            {
                var text = File.ReadAllText(file);
                Assert.Contains($"namespace MinikubeDemo.ClusterTool.{Layers[layer]};", text, StringComparison.Ordinal);
                upward.AddRange(ToolNamespace().Matches(text).Select(match => match.Groups[1].Value).Where(above.Contains)
                    .Select(target => $"{Path.GetRelativePath(ToolDirectory, file)} uses {target}"));
            }
        }
        Assert.Empty(upward);
    }

    [Fact]
    public void Only_the_entry_point_is_outside_the_layers()
    {
        var folders = Directory.EnumerateDirectories(ToolDirectory).Select(Path.GetFileName).Where(name => name is not ("bin" or "obj"));
        Assert.Equal(Layers.Order(), folders.Order());
        Assert.Equal(["Program.cs"], Directory.EnumerateFiles(ToolDirectory, "*.cs").Select(Path.GetFileName));
    }

    [GeneratedRegex(@"\bMinikubeDemo\.ClusterTool\.(\w+)")]
    private static partial Regex ToolNamespace();
}
