using MinikubeDemo.ClusterTool.Cluster;

namespace MinikubeDemo.Cluster.Tests.Tool;

/// <summary>How the tool reads the kubeconfig files KUBECONFIG lists, as kubectl reads them (client-go clientcmd/loader.go).</summary>
public sealed class ClusterConnectionTests : IDisposable
{
    private readonly DirectoryInfo _root = Directory.CreateTempSubdirectory("kubeconfig-");

    [Fact]
    public void Each_files_relative_certificate_and_plugin_paths_are_resolved_against_its_own_folder_and_an_empty_file_is_skipped()
    {
        var empty = Write("empty", "# written by hand, nothing yet\n");
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
              - name: plugin
                user:
                  exec:
                    apiVersion: client.authentication.k8s.io/v1
                    command: bin/credentials
              - name: on-path
                user:
                  exec:
                    apiVersion: client.authentication.k8s.io/v1
                    command: gke-gcloud-auth-plugin
            """);

        var merged = ClusterConnection.Merge([empty, first, second]);

        var folder = Path.GetDirectoryName(second)!;
        Assert.NotNull(merged);
        Assert.Equal("second", merged.CurrentContext);
        Assert.Equal(Path.Combine(folder, "ca.crt"), Assert.Single(merged.Clusters).ClusterEndpoint.CertificateAuthority);
        var users = merged.Users.ToDictionary(user => user.Name, user => user.UserCredentials);
        Assert.Equal(Path.Combine(folder, "keys", "client.crt"), users["second"].ClientCertificate);
        Assert.Equal("/etc/absolute/client.key", users["second"].ClientKey);
        Assert.Equal(Path.Combine(folder, "bin", "credentials"), users["plugin"].ExternalExecution.Command);
        Assert.Equal("gke-gcloud-auth-plugin", users["on-path"].ExternalExecution.Command);
    }

    [Theory]
    [InlineData("")]
    [InlineData("\n")]
    [InlineData("# nothing here\n")]
    public void Files_with_nothing_in_them_are_no_configuration_at_all(string content) =>
        Assert.Null(ClusterConnection.Merge([Write("empty", content)]));

    public void Dispose() => _root.Delete(recursive: true);

    private string Write(string name, string content)
    {
        var path = Path.Combine(_root.FullName, name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content);
        return path;
    }
}
