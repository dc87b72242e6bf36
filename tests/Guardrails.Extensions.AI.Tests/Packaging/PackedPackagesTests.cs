using System.Diagnostics;
using System.IO.Compression;
using System.Reflection;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace Guardrails.Extensions.AI.Tests.Packaging;

/// <summary>
/// A broken package cannot ship unnoticed: packs every packable project under src/ into a temporary folder, checks
/// what each package holds (its own README for the package page, the licence, XML docs, its dependencies), builds the
/// samples against the packed packages (not project references) and runs them, and installs and runs the CLI tool
/// package.
/// </summary>
/// <remarks>
/// Everything goes to a temporary folder: a unique prerelease version, a nuget.config that maps Guardrails* to the
/// folder (everything else comes from the global packages folder as a fallback, or the normal feed), copies of the
/// samples and a separate packages folder, so the repository's build outputs and NuGet cache are untouched. One test,
/// one pack and one build of all samples, to stay affordable on a small CI machine.
/// </remarks>
public sealed partial class PackedPackagesTests
{
    /// <summary>Every packable project, with the only packages it may depend on: the core and its host framework.</summary>
    private static readonly Dictionary<string, string[]> Dependencies = new(StringComparer.Ordinal)
    {
        ["Guardrails"] = ["Microsoft.Extensions.DependencyInjection.Abstractions", "Microsoft.Extensions.Logging.Abstractions", "Microsoft.Extensions.Options"],
        ["Guardrails.Extensions.AI"] = ["Guardrails", "Microsoft.Extensions.AI"],
        // Agent Framework agents run on Microsoft.Extensions.AI chat clients: the adapter builds on that one.
        ["Guardrails.Agents.AI"] = ["Guardrails.Extensions.AI", "Microsoft.Agents.AI"],
        ["Guardrails.SemanticKernel"] = ["Guardrails", "Microsoft.SemanticKernel.Abstractions"],
        ["Guardrails.ModelContextProtocol"] = ["Guardrails", "ModelContextProtocol"],
        ["Guardrails.Testing"] = ["Guardrails", "xunit.extensibility.core", "FluentAssertions"],
        ["Guardrails.Cli"] = [], // a .NET tool: everything it needs is inside
    };

    /// <summary>The samples built against the packages: the package each uses, and what it prints when it worked (null: built only).</summary>
    private static readonly (string Sample, string Package, string? Success)[] Samples =
    [
        ("ReplicationDemo", "Guardrails.Extensions.AI", "Replication stopped"),
        ("AgentFrameworkSample", "Guardrails.Agents.AI", "the copy, the replica launch and the key read never ran"),
        ("SemanticKernelSample", "Guardrails.SemanticKernel", "the copy, the replica launch and the key read never ran"),
        ("McpServerSample", "Guardrails.ModelContextProtocol", "never reached them"),
        ("PolicyTests", "Guardrails.Testing", null),
    ];

    [Fact]
    [Trait("Category", "Packaging")]
    public void Pack_ThenBuildAndRunTheSamplesAgainstThePackages_Works()
    {
        var root = Metadata("RepositoryRoot");
        var configuration = Metadata("Configuration");
        var version = $"0.0.0-packcheck.{DateTime.UtcNow:yyyyMMddHHmmss}.{Environment.ProcessId}";
        var work = Directory.CreateTempSubdirectory("guardrails-packcheck-").FullName;
        try
        {
            var feed = Directory.CreateDirectory(Path.Combine(work, "feed")).FullName;

            // 1. Every packable project is listed above (a new package must say what it may depend on).
            var packable = Directory.GetFiles(Path.Combine(root, "src"), "*.csproj", SearchOption.AllDirectories)
                .Where(p => !File.ReadAllText(p).Contains("<IsPackable>false</IsPackable>", StringComparison.Ordinal))
                .Select(Path.GetFileNameWithoutExtension)
                .ToList();
            packable.Should().BeEquivalentTo(Dependencies.Keys, "every packable project under src/ is packed and checked");

            // 2. Build (incrementally, exactly as the repository builds them) and pack with a unique version.
            var packProject = Path.Combine(work, "pack.proj");
            var projects = string.Concat(Dependencies.Keys.Select(p => $"<PackProject Include=\"{Project(root, p)}\" />"));
            File.WriteAllText(packProject, $"""
                <Project>
                  <ItemGroup>{projects}</ItemGroup>
                  <Target Name="Pack">
                    <MSBuild Projects="@(PackProject)" Targets="Restore" Properties="Configuration={configuration};_PackCheckRestore=true" />
                    <MSBuild Projects="@(PackProject)" Targets="Build" Properties="Configuration={configuration}" />
                    <MSBuild Projects="@(PackProject)" Targets="Pack" Properties="Configuration={configuration};NoBuild=true;Version={version};PackageOutputPath={feed}" />
                  </Target>
                </Project>
                """);
            Run(work, "msbuild", packProject, "-t:Pack");
            var descriptions = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var (package, dependencies) in Dependencies)
            {
                var nupkg = Path.Combine(feed, $"{package}.{version}.nupkg");
                File.Exists(nupkg).Should().BeTrue($"{package} should have been packed");
                descriptions[package] = AssertPackageContents(nupkg, package, version, dependencies);
            }

            descriptions.Values.Should().OnlyHaveUniqueItems("each package describes itself on its package page");

            // 3. Build the samples against the packages only, in one build.
            var config = WriteNuGetConfig(work, feed);
            var packages = Path.Combine(work, "packages");
            foreach (var (sample, _, _) in Samples)
            {
                CopySample(Path.Combine(root, "samples", sample), Path.Combine(work, "samples", sample));
            }

            File.WriteAllText(Path.Combine(work, "Directory.Build.props"), $"""<Project><Import Project="{Path.Combine(root, "samples", "Directory.Build.props")}" /></Project>""");
            File.WriteAllText(Path.Combine(work, "Directory.Packages.props"), $"""<Project><Import Project="{Path.Combine(root, "Directory.Packages.props")}" /></Project>""");
            var solution = Path.Combine(work, "samples.slnx");
            File.WriteAllText(solution, $"<Solution>{string.Concat(Samples.Select(s => $"<Project Path=\"samples/{s.Sample}/{s.Sample}.csproj\" />"))}</Solution>");
            Run(work, "build", solution, "-c", configuration,
                $"-p:GuardrailsPackageVersion={version}",
                $"-p:RestoreConfigFile={config}",
                $"-p:RestorePackagesPath={packages}");

            // 4. Each sample used the packed package, and no project reference; those that are programs run.
            foreach (var (sample, package, success) in Samples)
            {
                var directory = Path.Combine(work, "samples", sample);
                AssertBuiltFromPackages(directory, package, version);
                if (success is not null)
                {
                    var program = Directory.GetFiles(Path.Combine(directory, "bin"), sample + ".dll", SearchOption.AllDirectories).Should().ContainSingle().Subject;
                    Run(work, program).Should().Contain(success, $"{sample} runs on the packed packages (with the embedded default policy)");
                }
            }

            // 5. The CLI installs from its package as a .NET tool and decides.
            var tools = Path.Combine(work, "tools");
            Run(work, "tool", "install", "Guardrails.Cli", "--tool-path", tools, "--version", version, "--configfile", config);
            var (exitCode, output) = Dotnet(work, Path.Combine(tools, OperatingSystem.IsWindows() ? "guardrails.exe" : "guardrails"), ["check", "cp -r /models/qwen /tmp/q"]);
            exitCode.Should().Be(2, output);
            output.Should().Contain("DENY").And.Contain("weights.copy");
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

    /// <summary>Checks one package and returns its description.</summary>
    private static string AssertPackageContents(string nupkg, string package, string version, string[] dependencies)
    {
        using var archive = ZipFile.OpenRead(nupkg);
        var entries = archive.Entries.Select(e => e.FullName).ToList();
        using var nuspecReader = new StreamReader(archive.Entries.Single(e => e.FullName.EndsWith(".nuspec", StringComparison.Ordinal)).Open());
        var nuspec = XDocument.Parse(nuspecReader.ReadToEnd());
        var ns = nuspec.Root!.GetDefaultNamespace();
        var metadata = nuspec.Root.Element(ns + "metadata")!;
        string? Field(string name) => metadata.Element(ns + name)?.Value;

        Field("id").Should().Be(package);
        Field("version").Should().Be(version);
        Field("readme").Should().Be("README.md", "the package page shows the README");
        metadata.Element(ns + "license")?.Attribute("type")?.Value.Should().Be("expression");
        Field("license").Should().Be("Apache-2.0");

        // Its own README (not the repository's), with links that work on a package page.
        entries.Should().Contain("README.md");
        using (var reader = new StreamReader(archive.GetEntry("README.md")!.Open()))
        {
            var readme = reader.ReadToEnd();
            readme.Should().StartWith($"# {package}\n", "each package has its own README");
            RelativeLink().Matches(readme).Select(m => m.Value).Should().BeEmpty("relative links do not resolve on a package page");
        }

        if (package == "Guardrails.Cli")
        {
            metadata.Element(ns + "packageTypes")?.Elements(ns + "packageType").Select(t => t.Attribute("name")?.Value).Should().Contain("DotnetTool");
            entries.Should().Contain(e => e.StartsWith("tools/net10.0/any/", StringComparison.Ordinal) && e.EndsWith("/Guardrails.Cli.dll", StringComparison.Ordinal));
            entries.Should().Contain("tools/net10.0/any/DotnetToolSettings.xml");
        }
        else
        {
            entries.Should().Contain($"lib/net10.0/{package}.dll").And.Contain($"lib/net10.0/{package}.xml", "IntelliSense needs the XML docs");
        }

        var groups = metadata.Element(ns + "dependencies")?.Elements(ns + "group").ToList() ?? [];
        groups.Select(g => g.Attribute("targetFramework")?.Value).Should().NotContain(tfm => tfm != "net10.0");
        var declared = groups.SelectMany(g => g.Elements(ns + "dependency")).ToList();
        declared.Select(d => d.Attribute("id")!.Value).Should().BeEquivalentTo(dependencies, $"{package} depends only on the core and its host framework");
        declared.Where(d => d.Attribute("id")!.Value.StartsWith("Guardrails", StringComparison.Ordinal))
            .Select(d => d.Attribute("version")!.Value).Should().NotContain(v => v != version, "Guardrails packages depend on the same version");
        return Field("description") ?? string.Empty;
    }

    private static void AssertBuiltFromPackages(string sample, string package, string version)
    {
        using var assets = JsonDocument.Parse(File.ReadAllText(Path.Combine(sample, "obj", "project.assets.json")));
        var libraries = assets.RootElement.GetProperty("libraries");
        foreach (var expected in new[] { package, "Guardrails" })
        {
            libraries.TryGetProperty($"{expected}/{version}", out var library).Should().BeTrue($"{Path.GetFileName(sample)} should use the packed {expected}");
            library.GetProperty("type").GetString().Should().Be("package");
        }

        libraries.EnumerateObject().Should().NotContain(l => l.Value.GetProperty("type").GetString() == "project", "no project references may remain");
    }

    /// <summary>Copies a sample's sources, project and data files, without its build outputs.</summary>
    private static void CopySample(string from, string to)
    {
        foreach (var file in Directory.GetFiles(from, "*", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(from, file);
            if (relative.Split(Path.DirectorySeparatorChar)[0] is "bin" or "obj")
            {
                continue;
            }

            var target = Path.Combine(to, relative);
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }

    private static string WriteNuGetConfig(string work, string feed)
    {
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
        return config;
    }

    [GeneratedRegex(@"\]\((?!https?://|#|mailto:)[^)]*\)")]
    private static partial Regex RelativeLink();

    private static string Project(string root, string name) => Path.Combine(root, "src", name, name + ".csproj");

    private static string Metadata(string key) =>
        typeof(PackedPackagesTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == key).Value!;

    private static string GlobalPackagesFolder() =>
        Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } configured
            ? configured
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");

    /// <summary>Runs the dotnet CLI and requires it to succeed; returns its output.</summary>
    private static string Run(string workingDirectory, params string[] arguments)
    {
        var (exitCode, output) = Dotnet(workingDirectory, "dotnet", arguments);
        exitCode.Should().Be(0, $"dotnet {string.Join(' ', arguments)} failed:\n{output}");
        return output;
    }

    /// <summary>Runs a program without persistent build servers (they would outlive the test and hold its output open).</summary>
    private static (int ExitCode, string Output) Dotnet(string workingDirectory, string program, string[] arguments)
    {
        var start = new ProcessStartInfo(program)
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
        if (arguments[0] == "tool")
        {
            // The tool package goes to the test's own packages folder, not the user's NuGet cache.
            start.Environment["NUGET_PACKAGES"] = Path.Combine(workingDirectory, "packages");
        }

        if (Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host)
        {
            // An installed tool's launcher finds the runtime the tests run on.
            start.Environment["DOTNET_ROOT"] = Path.GetDirectoryName(host);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{program} could not be started");
        var output = new StringBuilder();
        process.OutputDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        process.ErrorDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (!process.WaitForExit(TimeSpan.FromMinutes(8)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{program} {string.Join(' ', arguments)} did not finish within 8 minutes:\n{output}");
        }

        process.WaitForExit();
        lock (output)
        {
            return (process.ExitCode, output.ToString());
        }
    }
}
