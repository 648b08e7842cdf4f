using MinikubeDemo.ClusterTool.Cluster;

namespace MinikubeDemo.Cluster.Tests.Tool;

/// <summary>How the tool reads the kubeconfig files KUBECONFIG lists, as kubectl reads them (client-go clientcmd/loader.go).</summary>
public sealed class ClusterConnectionTests : IDisposable
{
    private readonly DirectoryInfo _root = Directory.CreateTempSubdirectory("kubeconfig-");

    [Fact]
    public void Each_files_relative_certificate_paths_are_resolved_against_its_own_folder_and_an_empty_file_is_skipped()
    {
        var empty = Write("empty", "");
        var first = Write("first/config", """
            apiVersion: v1
            kind: Config
            current-context: second
            """);
        var second = Write("second/config", """
            apiVersion: v1
            kind: Config
            clusters:
              - name: second
                cluster:
                  server: https://198.18.0.2:8443
                  certificate-authority: ca.crt
            contexts:
              - name: second
                context:
                  cluster: second
                  user: second
            users:
              - name: second
                user:
                  client-certificate: keys/client.crt
                  client-key: /etc/absolute/client.key
            """);

        var merged = ClusterConnection.Merge([empty, first, second]);

        var folder = Path.GetDirectoryName(second)!;
        Assert.NotNull(merged);
        Assert.Equal("second", merged.CurrentContext);
        Assert.Equal(Path.Combine(folder, "ca.crt"), Assert.Single(merged.Clusters).ClusterEndpoint.CertificateAuthority);
        var credentials = Assert.Single(merged.Users).UserCredentials;
        Assert.Equal(Path.Combine(folder, "keys", "client.crt"), credentials.ClientCertificate);
        Assert.Equal("/etc/absolute/client.key", credentials.ClientKey);
    }

    [Fact]
    public void Only_empty_files_are_no_configuration_at_all() =>
        Assert.Null(ClusterConnection.Merge([Write("empty", "")]));

    public void Dispose() => _root.Delete(recursive: true);

    private string Write(string name, string content)
    {
        var path = Path.Combine(_root.FullName, name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content);
        return path;
    }
}
