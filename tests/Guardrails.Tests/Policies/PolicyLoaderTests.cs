using System.Text;
using Guardrails.Policies;

namespace Guardrails.Tests.Policies;

public sealed class PolicyLoaderTests
{
    private const string BriefSelfExample = """
        {
          "extends": ["builtin:default"],
          "self": {
            "agentDirectories": ["/opt/agent"],
            "modelDirectories": ["/models", "/opt/llm/weights"],
            "servingPorts": [8000],
            "processNames": ["agent.py", "vllm"],
            "guardPaths": ["/etc/agent-guard"],
            "guardProcesses": ["guardd"]
          }
        }
        """;

    [Fact]
    public void LoadText_EmptyObject_SucceedsWithEmptyDocument()
    {
        var result = PolicyLoader.LoadText("{}", "policy.json");

        PolicyAssert.Succeeded(result);
        result.Diagnostics.Should().BeEmpty();
        result.Document!.Rules.Should().BeNull();
        result.Document.Version.Should().Be(1);
        result.Name.Should().Be("policy.json");
        result.Sources.Should().Equal("policy.json");
    }

    [Theory]
    [InlineData("")]
    [InlineData("  \r\n\t")]
    [InlineData("// nothing here yet\n")]
    [InlineData("/* a block comment */")]
    [InlineData("\uFEFF")]
    public void LoadText_BlankText_IsTheEmptyPolicy(string text)
    {
        var result = PolicyLoader.LoadText(text, "policy.json");

        PolicyAssert.Succeeded(result);
        result.Diagnostics.Should().BeEmpty();
    }

    [Fact]
    public void LoadFile_BomCommentsAndTrailingCommas_Succeeds()
    {
        using var dir = new TempPolicyDirectory();
        var path = Path.Combine(dir.Path, "policy.json");
        File.WriteAllText(path, """
            // The guard policy for the build agents.
            {
              "name": "build", /* inline */
              "mode": "audit",
              "self": { "servingPorts": [8000, 8001,], },
            }
            """, new UTF8Encoding(encoderShouldEmitUTF8Identifier: true));
        File.ReadAllBytes(path)[0].Should().Be(0xEF);

        var result = PolicyLoader.LoadFile(path);

        PolicyAssert.Succeeded(result);
        result.Document!.Name.Should().Be("build");
        result.Document.Self!.ServingPorts.Should().Equal(8000, 8001);
    }

    [Fact]
    public void BuiltinNames_EmbeddedResources_ListsDefaultWithPrefix()
    {
        PolicyLoader.BuiltinNames.Should().Contain("builtin:default");
        PolicyLoader.BuiltinNames.Should().OnlyContain(n => n.StartsWith(PolicyLoader.BuiltinPrefix, StringComparison.Ordinal));
        PolicyLoader.BuiltinNames.Should().BeInAscendingOrder(StringComparer.Ordinal);
    }

    [Theory]
    [InlineData("default")]
    [InlineData("builtin:default")]
    public void LoadBuiltin_Default_Succeeds(string name)
    {
        var result = PolicyLoader.LoadBuiltin(name);

        PolicyAssert.Succeeded(result);
        result.Name.Should().Be("builtin:default");
        result.Sources.Should().EndWith("builtin:default");
        result.Diagnostics.Should().NotContain(d => d.Severity == PolicyDiagnosticSeverity.Error);
    }

    [Fact]
    public void Load_BuiltinPrefix_LoadsEmbeddedPolicy()
    {
        var result = PolicyLoader.Load("builtin:default");

        result.Name.Should().Be("builtin:default");
        result.Version.Should().Be(PolicyLoader.LoadBuiltin("default").Version);
    }

    [Fact]
    public void LoadBuiltin_UnknownName_ReportsGR1003WithAvailableNames()
    {
        var result = PolicyLoader.LoadBuiltin("builtin:nope");

        PolicyAssert.Failed(result);
        var diagnostic = PolicyAssert.Single(result, "GR1003");
        diagnostic.Message.Should().Contain("builtin policy 'builtin:nope' does not exist");
        diagnostic.Help.Should().Contain("builtin:default");
        diagnostic.File.Should().Be("builtin:nope");
        result.Sources.Should().BeEmpty();
    }

    [Fact]
    public void LoadText_BriefSelfExample_ExtendsBuiltinDefault()
    {
        var result = PolicyLoader.LoadText(BriefSelfExample, "agent.json");
        var builtin = PolicyLoader.LoadBuiltin("default");

        PolicyAssert.Succeeded(result);
        result.Sources.Should().Equal("builtin:default", "agent.json");
        var self = result.Document!.Self!;
        self.AgentDirectories.Should().Contain("/opt/agent");
        self.ModelDirectories.Should().Contain(["/models", "/opt/llm/weights"]).And.OnlyHaveUniqueItems();
        self.ServingPorts.Should().Contain(8000).And.OnlyHaveUniqueItems();
        self.ProcessNames.Should().Contain(["agent.py", "vllm"]);
        self.GuardPaths.Should().Contain("/etc/agent-guard");
        self.GuardProcesses.Should().Contain("guardd");
        (result.Document.Rules?.Count ?? 0).Should().Be(builtin.Document!.Rules?.Count ?? 0);
        result.Document.Extends.Should().BeNull();
        result.Version.Should().NotBe(builtin.Version);
    }

    [Fact]
    public void LoadFile_MultiLevelExtends_AppliesBasesFirstInOrder()
    {
        using var dir = new TempPolicyDirectory();
        dir.Write("a.json", """{ "name": "a", "description": "from a", "rules": [ { "id": "r.a", "effect": "deny", "when": { "operations": ["file.copy"] } } ] }""");
        dir.Write("sub/b.json", """{ "extends": ["../a.json"], "name": "b", "rules": [ { "id": "r.b", "effect": "deny", "when": { "operations": ["file.move"] } } ] }""");
        var c = dir.Write("c.json", """{ "extends": ["sub/b.json"], "name": "c", "rules": [ { "id": "r.c", "effect": "deny", "when": { "operations": ["file.link"] } } ] }""");

        var result = PolicyLoader.LoadFile(c);

        PolicyAssert.Succeeded(result);
        result.Name.Should().Be(c);
        result.Sources.Should().Equal(Path.Combine(dir.Path, "a.json"), Path.Combine(dir.Path, "sub", "b.json"), c);
        result.Document!.Name.Should().Be("c");
        result.Document.Description.Should().Be("from a");
        result.Document.Rules!.Select(r => r.Id).Should().Equal("r.a", "r.b", "r.c");
    }

    [Fact]
    public void LoadFile_SharedBase_IsAppliedOnceAtItsFirstPlace()
    {
        using var dir = new TempPolicyDirectory();
        dir.Write("base.json", """{ "rules": [ { "id": "shared", "effect": "deny", "when": { "operations": ["file.copy"] } } ] }""");
        dir.Write("left.json", """{ "extends": ["base.json"], "rules": [ { "id": "shared", "effect": "escalate", "when": { "operations": ["file.copy"] } } ] }""");
        dir.Write("right.json", """{ "extends": ["base.json"], "self": { "guardProcesses": ["guardd"] } }""");
        var top = dir.Write("top.json", """{ "extends": ["left.json", "right.json"] }""");

        var result = PolicyLoader.LoadFile(top);

        PolicyAssert.Succeeded(result);
        result.Sources.Select(Path.GetFileName).Should().Equal("base.json", "left.json", "right.json", "top.json");
        // right.json's copy of base.json does not undo left.json's replacement.
        result.Document!.Rules.Should().ContainSingle().Which.Effect.Should().Be("escalate");
    }

    [Fact]
    public void LoadText_RelativeExtends_ResolvesAgainstBaseDirectory()
    {
        using var dir = new TempPolicyDirectory();
        dir.Write("base.json", """{ "mode": "audit" }""");

        var result = PolicyLoader.LoadText("""{ "extends": ["base.json"] }""", "inline", dir.Path);

        PolicyAssert.Succeeded(result);
        result.Document!.Mode.Should().Be("audit");
        result.Sources.Should().Equal(Path.Combine(dir.Path, "base.json"), "inline");
    }

    [Fact]
    public void LoadFile_RelativePath_ReportsFullPathAsName()
    {
        using var dir = new TempPolicyDirectory();
        var path = dir.Write("p.json", "{}");
        var relative = Path.GetRelativePath(Directory.GetCurrentDirectory(), path);

        var result = PolicyLoader.Load(relative);

        PolicyAssert.Succeeded(result);
        result.Name.Should().Be(path);
    }

    [Fact]
    public void LoadFile_NotFound_ReportsGR1003WithPath()
    {
        using var dir = new TempPolicyDirectory();
        var path = Path.Combine(dir.Path, "missing.json");

        var result = PolicyLoader.LoadFile(path);

        PolicyAssert.Failed(result);
        var diagnostic = PolicyAssert.Single(result, "GR1003");
        diagnostic.Message.Should().Be($"policy file not found: {path}");
        diagnostic.File.Should().Be(path);
        diagnostic.Line.Should().Be(0);
        diagnostic.ToString().Should().Be($"{path}: error GR1003: policy file not found: {path}");
    }

    [Fact]
    public void LoadFile_Directory_ReportsGR1003()
    {
        using var dir = new TempPolicyDirectory();

        var result = PolicyLoader.LoadFile(dir.Path);

        PolicyAssert.Single(result, "GR1003").Message.Should().Contain("is a directory");
    }

    [Fact]
    public void LoadFile_EmptyPath_ReportsGR1003()
    {
        PolicyAssert.Single(PolicyLoader.LoadFile(" "), "GR1003").Message.Should().Contain("empty");
    }

    [Fact]
    public void LoadFile_LargerThanFourMebibytes_ReportsGR1007()
    {
        using var dir = new TempPolicyDirectory();
        var path = dir.Write("huge.json", "{\"description\": \"" + new string('x', PolicyLoader.MaxFileBytes) + "\"}");

        var result = PolicyLoader.LoadFile(path);

        PolicyAssert.Failed(result);
        PolicyAssert.Single(result, "GR1007").Message.Should().Contain("4 MiB");
    }

    [Fact]
    public void LoadText_LargerThanFourMebibytes_ReportsGR1007()
    {
        var result = PolicyLoader.LoadText(new string(' ', PolicyLoader.MaxFileBytes + 1), "big");

        PolicyAssert.Single(result, "GR1007");
    }

    [Fact]
    public void LoadFile_MissingExtendsFile_ReportsGR1004AtTheEntry()
    {
        using var dir = new TempPolicyDirectory();
        var path = dir.Write("p.json", """
            {
              "extends": [
                "builtin:default",
                "nope/base.json"
              ]
            }
            """);

        var result = PolicyLoader.LoadFile(path);

        PolicyAssert.Failed(result);
        var diagnostic = PolicyAssert.Single(result, "GR1004");
        diagnostic.Message.Should().Contain("base policy 'nope/base.json' not found").And.Contain(Path.Combine(dir.Path, "nope", "base.json"));
        (diagnostic.File, diagnostic.Line, diagnostic.Column, diagnostic.JsonPath).Should().Be((path, 4, 5, "$.extends[1]"));
    }

    [Fact]
    public void LoadText_ExtendsUnknownBuiltin_ReportsGR1004()
    {
        var result = PolicyLoader.LoadText("""{"extends": ["builtin:defualt"]}""", "p.json");

        var diagnostic = PolicyAssert.Single(result, "GR1004");
        diagnostic.Message.Should().Contain("'builtin:defualt' does not exist");
        (diagnostic.Line, diagnostic.Column, diagnostic.JsonPath).Should().Be((1, 14, "$.extends[0]"));
    }

    [Fact]
    public void LoadFile_CycleBetweenTwoFiles_ReportsGR1005NamingTheChain()
    {
        using var dir = new TempPolicyDirectory();
        var a = dir.Write("a.json", """{ "extends": ["b.json"] }""");
        var b = dir.Write("b.json", """
            {
              "extends": ["a.json"]
            }
            """);

        var result = PolicyLoader.LoadFile(a);

        PolicyAssert.Failed(result);
        var diagnostic = PolicyAssert.Single(result, "GR1005");
        diagnostic.Message.Should().Be($"extends cycle: {a} → {b} → {a}");
        (diagnostic.File, diagnostic.Line, diagnostic.Column, diagnostic.JsonPath).Should().Be((b, 2, 15, "$.extends[0]"));
    }

    [Fact]
    public void LoadFile_ExtendsItself_ReportsGR1005()
    {
        using var dir = new TempPolicyDirectory();
        var a = dir.Write("a.json", """{ "extends": ["./a.json"] }""");

        PolicyAssert.Single(PolicyLoader.LoadFile(a), "GR1005").Message.Should().Be($"extends cycle: {a} → {a}");
    }

    [Fact]
    public void LoadFile_ExtendsEightLevels_Succeeds()
    {
        using var dir = new TempPolicyDirectory();
        var top = WriteChain(dir, levels: 8);

        var result = PolicyLoader.LoadFile(top);

        PolicyAssert.Succeeded(result);
        result.Sources.Should().HaveCount(9);
        result.Document!.Name.Should().Be("p0");
    }

    [Fact]
    public void LoadFile_ExtendsNineLevels_ReportsGR1006AtTheDeepestEntry()
    {
        using var dir = new TempPolicyDirectory();
        var top = WriteChain(dir, levels: 9);

        var result = PolicyLoader.LoadFile(top);

        PolicyAssert.Failed(result);
        var diagnostic = PolicyAssert.Single(result, "GR1006");
        diagnostic.Message.Should().Contain("more than 8 levels").And.Contain("'p9.json' would be level 9");
        (diagnostic.File, diagnostic.Line, diagnostic.Column, diagnostic.JsonPath).Should().Be((Path.Combine(dir.Path, "p8.json"), 1, 15, "$.extends[0]"));
    }

    [Fact]
    public void Version_SameBytes_IsStableAndHex()
    {
        var first = PolicyLoader.LoadText("""{ "mode": "audit" }""", "a");
        var second = PolicyLoader.LoadText("""{ "mode": "audit" }""", "b");

        first.Version.Should().Be(second.Version).And.MatchRegex("^[0-9a-f]{16}$");
    }

    [Fact]
    public void Version_DifferentBytes_Differs()
    {
        var first = PolicyLoader.LoadText("""{ "mode": "audit" }""", "a");
        var second = PolicyLoader.LoadText("""{ "mode": "audit"  }""", "a");

        first.Version.Should().NotBe(second.Version);
    }

    [Fact]
    public void Version_SingleFile_IsSha256PrefixOfItsBytes()
    {
        const string Text = """{ "mode": "audit" }""";
        var expected = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(Text)))[..16];

        PolicyLoader.LoadText(Text, "a").Version.Should().Be(expected);
    }

    [Fact]
    public void Version_BaseChanges_ChangesVersionOfExtendingPolicy()
    {
        using var dir = new TempPolicyDirectory();
        var top = dir.Write("top.json", """{ "extends": ["base.json"] }""");
        dir.Write("base.json", """{ "mode": "audit" }""");
        var before = PolicyLoader.LoadFile(top).Version;
        dir.Write("base.json", """{ "mode": "enforce" }""");

        PolicyLoader.LoadFile(top).Version.Should().NotBe(before);
    }

    [Fact]
    public void Load_WarningsOnly_SucceedsAndKeepsWarnings()
    {
        var result = PolicyLoader.LoadText("""{ "rules": [ { "id": "a", "when": { "operations": ["file.copy"] } } ] }""", "p.json");

        PolicyAssert.Succeeded(result);
        PolicyAssert.Single(result, "GR2007").Severity.Should().Be(PolicyDiagnosticSeverity.Warning);
    }

    [Fact]
    public void GetDocumentOrThrow_Errors_ThrowsPolicyLoadExceptionListingThem()
    {
        var result = PolicyLoader.LoadText("""{ "mode": "loud", "onError": "allow" }""", "p.json");

        var act = () => result.GetDocumentOrThrow();

        var exception = act.Should().Throw<PolicyLoadException>().Which;
        exception.Diagnostics.Should().HaveCount(2);
        exception.Message.Split('\n').Should().HaveCount(3);
        exception.Message.Should().Contain("p.json(1,19): error GR2017").And.Contain("p.json(1,3): error GR2019");
    }

    [Fact]
    public void LoadText_DeeplyNestedJson_ReportsGR1001WithoutOverflowingTheStack()
    {
        var json = "{\"description\": " + new string('[', 100_000) + new string(']', 100_000) + "}";

        var result = PolicyLoader.LoadText(json, "deep.json");

        PolicyAssert.Failed(result);
        PolicyAssert.Single(result, "GR1001").Message.Should().Contain("depth");
    }

    [Theory]
    [InlineData("{\"mode\": \"loud\", \"version\": }")]
    [InlineData("{\"version\": \"x\", \"mode\": \"loud\", \"self\": 5}")]
    public void LoadText_MalformedJson_ReportsOneDiagnosticAndNoSemanticNoise(string json)
    {
        var result = PolicyLoader.LoadText(json, "p.json");

        result.Diagnostics.Should().ContainSingle().Which.Code.Should().BeOneOf("GR1001", "GR1002");
    }

    [Fact]
    public void LoadText_SyntaxErrorAfterTypeError_ReportsTheSyntaxError()
    {
        var result = PolicyLoader.LoadText("{\"version\": \"x\",\n \"mode\" \"audit\"}", "p.json");

        var diagnostic = result.Diagnostics.Should().ContainSingle().Which;
        (diagnostic.Code, diagnostic.Line, diagnostic.Column).Should().Be(("GR1001", 2, 9));
    }

    private static string WriteChain(TempPolicyDirectory dir, int levels)
    {
        for (var i = 0; i < levels; i++)
        {
            dir.Write($"p{i}.json", $$"""{ "extends": ["p{{i + 1}}.json"], "name": "p{{i}}" }""");
        }

        dir.Write($"p{levels}.json", $$"""{ "name": "p{{levels}}" }""");
        return Path.Combine(dir.Path, "p0.json");
    }
}
