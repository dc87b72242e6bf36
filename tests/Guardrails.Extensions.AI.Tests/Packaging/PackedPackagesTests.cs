using System.Diagnostics;
using System.IO.Compression;
using System.Reflection;
using System.Text;
using System.Text.Json;

namespace Guardrails.Extensions.AI.Tests.Packaging;

/// <summary>
/// A broken package cannot ship unnoticed: packs the core and the adapter packages into a temporary folder and builds
/// and runs samples/ReplicationDemo against the packed packages (not project references).
/// </summary>
/// <remarks>
/// Everything goes to a temporary folder: a unique prerelease version, a nuget.config that maps Guardrails* to the
/// folder (everything else comes from the global packages folder as a fallback, or the normal feed), a copy of the
/// demo's sources and a separate packages folder, so the repository's build outputs and NuGet cache are untouched.
/// </remarks>
public sealed class PackedPackagesTests
{
    private static readonly string[] Packages = ["Guardrails", "Guardrails.Extensions.AI", "Guardrails.Agents.AI"];

    [Fact]
    [Trait("Category", "Packaging")]
    public void Pack_ThenBuildAndRunTheReplicationDemoAgainstThePackages_Works()
    {
        var root = Metadata("RepositoryRoot");
        var configuration = Metadata("Configuration");
        var version = $"0.0.0-packcheck.{DateTime.UtcNow:yyyyMMddHHmmss}.{Environment.ProcessId}";
        var work = Directory.CreateTempSubdirectory("guardrails-packcheck-").FullName;
        try
        {
            var feed = Directory.CreateDirectory(Path.Combine(work, "feed")).FullName;

            // 1. Build (incrementally, exactly as the repository builds them) and pack with a unique version.
            Dotnet(root, "build", Project(root, "Guardrails.Agents.AI"), "-c", configuration);
            var packProject = Path.Combine(work, "pack.proj");
            File.WriteAllText(packProject, $"""
                <Project>
                  <ItemGroup>
                    {string.Concat(Packages.Select(p => $"<PackProject Include=\"{Project(root, p)}\" />"))}
                  </ItemGroup>
                  <Target Name="Pack">
                    <MSBuild Projects="@(PackProject)" Targets="Pack" Properties="Configuration={configuration};NoBuild=true;Version={version};PackageOutputPath={feed}" />
                  </Target>
                </Project>
                """);
            Dotnet(work, "msbuild", packProject, "-t:Pack");
            foreach (var package in Packages)
            {
                var nupkg = Path.Combine(feed, $"{package}.{version}.nupkg");
                File.Exists(nupkg).Should().BeTrue($"{package} should have been packed");
                AssertPackageContents(nupkg, package, version);
            }

            // 2. Build the demo against the packages only.
            var config = Path.Combine(work, "nuget.config");
            File.WriteAllText(config, $"""
                <?xml version="1.0" encoding="utf-8"?>
                <configuration>
                  <packageSources>
                    <clear />
                    <add key="packed" value="{feed}" />
                    <add key="nuget.org" value="https://api.nuget.org/v3/index.json" />
                  </packageSources>
                  <packageSourceMapping>
                    <packageSource key="packed">
                      <package pattern="Guardrails" />
                      <package pattern="Guardrails.*" />
                    </packageSource>
                    <packageSource key="nuget.org">
                      <package pattern="*" />
                    </packageSource>
                  </packageSourceMapping>
                  <fallbackPackageFolders>
                    <add key="global" value="{GlobalPackagesFolder()}" />
                  </fallbackPackageFolders>
                </configuration>
                """);
            // A copy of the demo's sources and project, with the repository's build settings and package versions,
            // so that nothing from the repository's own obj/bin folders can leak in.
            var sample = Directory.CreateDirectory(Path.Combine(work, "ReplicationDemo")).FullName;
            foreach (var file in Directory.GetFiles(Path.Combine(root, "samples", "ReplicationDemo")).Where(f => f.EndsWith(".cs", StringComparison.Ordinal) || f.EndsWith(".csproj", StringComparison.Ordinal)))
            {
                File.Copy(file, Path.Combine(sample, Path.GetFileName(file)));
            }

            File.WriteAllText(Path.Combine(work, "Directory.Build.props"), $"""<Project><Import Project="{Path.Combine(root, "samples", "Directory.Build.props")}" /></Project>""");
            File.WriteAllText(Path.Combine(work, "Directory.Packages.props"), $"""<Project><Import Project="{Path.Combine(root, "Directory.Packages.props")}" /></Project>""");
            Dotnet(sample, "build", Path.Combine(sample, "ReplicationDemo.csproj"), "-c", configuration,
                $"-p:GuardrailsPackageVersion={version}",
                $"-p:RestoreConfigFile={config}",
                $"-p:RestorePackagesPath={Path.Combine(work, "packages")}");
            var obj = Path.Combine(sample, "obj");
            var bin = Path.Combine(sample, "bin");

            using (var assets = JsonDocument.Parse(File.ReadAllText(Path.Combine(obj, "project.assets.json"))))
            {
                var libraries = assets.RootElement.GetProperty("libraries");
                foreach (var package in new[] { "Guardrails", "Guardrails.Extensions.AI" })
                {
                    libraries.TryGetProperty($"{package}/{version}", out var library).Should().BeTrue($"the demo should use the packed {package}");
                    library.GetProperty("type").GetString().Should().Be("package");
                }

                libraries.EnumerateObject().Should().NotContain(l => l.Value.GetProperty("type").GetString() == "project", "no project references may remain");
            }

            // 3. Run it: the packed packages (with the embedded default policy) stop the replication.
            var demo = Directory.GetFiles(bin, "ReplicationDemo.dll", SearchOption.AllDirectories).Should().ContainSingle().Subject;
            var output = Dotnet(work, demo);
            output.Should().Contain("Replication stopped");
        }
        finally
        {
            try
            {
                Directory.Delete(work, recursive: true);
            }
            catch (IOException)
            {
                // best effort: a temp folder left behind is harmless
            }
            catch (UnauthorizedAccessException)
            {
            }
        }
    }

    private static void AssertPackageContents(string nupkg, string package, string version)
    {
        using var archive = ZipFile.OpenRead(nupkg);
        var entries = archive.Entries.Select(e => e.FullName).ToList();
        entries.Should().Contain("README.md", "the package page shows it");
        entries.Should().Contain($"lib/net10.0/{package}.dll").And.Contain($"lib/net10.0/{package}.xml");

        using var nuspec = new StreamReader(archive.Entries.Single(e => e.FullName.EndsWith(".nuspec", StringComparison.Ordinal)).Open());
        var text = nuspec.ReadToEnd();
        text.Should().Contain("<readme>README.md</readme>").And.Contain($"<version>{version}</version>");
        switch (package)
        {
            case "Guardrails.Extensions.AI":
                text.Should().Contain($"id=\"Guardrails\" version=\"{version}\"").And.Contain("id=\"Microsoft.Extensions.AI\"").And.NotContain("Microsoft.Agents.AI");
                break;
            case "Guardrails.Agents.AI":
                text.Should().Contain($"id=\"Guardrails.Extensions.AI\" version=\"{version}\"").And.Contain("id=\"Microsoft.Agents.AI\"");
                break;
        }
    }

    private static string Project(string root, string name) => Path.Combine(root, "src", name, name + ".csproj");

    private static string Metadata(string key) =>
        typeof(PackedPackagesTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == key).Value!;

    private static string GlobalPackagesFolder() =>
        Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } configured
            ? configured
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");

    /// <summary>Runs the dotnet CLI without persistent build servers (they would outlive the test and hold its output open).</summary>
    private static string Dotnet(string workingDirectory, params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        if (arguments[0] is "build" or "msbuild")
        {
            start.ArgumentList.Add("-nodeReuse:false");
            start.ArgumentList.Add("-p:UseSharedCompilation=false");
            start.ArgumentList.Add("-nologo");
        }

        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        start.Environment["DOTNET_CLI_USE_MSBUILD_SERVER"] = "0";
        start.Environment["MSBUILDDISABLENODEREUSE"] = "1";
        start.Environment["NO_COLOR"] = "1";

        using var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet could not be started");
        var output = new StringBuilder();
        process.OutputDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        process.ErrorDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (!process.WaitForExit(TimeSpan.FromMinutes(5)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"dotnet {string.Join(' ', arguments)} did not finish within 5 minutes:\n{output}");
        }

        process.WaitForExit();
        lock (output)
        {
            process.ExitCode.Should().Be(0, $"dotnet {string.Join(' ', arguments)} failed:\n{output}");
            return output.ToString();
        }
    }
}
