using Guardrails.Policies;

namespace Guardrails.Tests.Policies;

/// <summary>How a policy combines with the policies it extends, section by section.</summary>
public sealed class PolicyMergerTests
{
    private const string Base = """
        {
          "name": "base",
          "description": "the base",
          "onError": "escalate",
          "unknownTools": "escalate",
          "mode": "audit",
          "self": {
            "agentDirectories": ["/opt/agent"],
            "modelDirectories": ["/models"],
            "servingPorts": [8000, 8001],
            "processNames": ["agent.py"],
            "guardPaths": ["/etc/guard"],
            "guardProcesses": ["guardd"],
            "endpoints": ["http://127.0.0.1:8000/v1"],
            "guardEnvironment": ["GUARD_POLICY"]
          },
          "catalogs": {
            "resources": {
              "model-weights": { "paths": ["/models/**"], "extensions": [".gguf"], "names": ["pytorch_model*.bin"], "contextExtensions": [".bin"], "contextDirectories": ["*model*"] },
              "startup": { "paths": ["/etc/cron.d/**"] }
            },
            "programs": { "inference-server": ["vllm"], "transfer-tool": ["scp"] },
            "pythonModules": { "inference-server": ["vllm.entrypoints.openai.api_server"] },
            "hosts": { "trusted": ["github.com"] },
            "replicationPhrases": ["copy yourself"]
          },
          "tools": {
            "bash": { "interpreter": "shell", "arguments": { "command": ["command"] } },
            "python": { "interpreter": "python", "arguments": { "code": ["code"] } }
          },
          "thresholds": { "escalate": 40, "deny": 80 },
          "limits": { "maxInputLength": 1000, "maxOperations": 50, "maxNestingDepth": 8, "maxDecodedLength": 4000 },
          "rules": [
            { "id": "one", "effect": "deny", "when": { "operations": ["file.copy"] } },
            { "id": "two", "effect": "deny", "when": { "operations": ["file.move"] } },
            { "id": "three", "effect": "deny", "when": { "operations": ["file.link"] } }
          ]
        }
        """;

    [Fact]
    public void Merge_ChildSetsNothing_InheritsEverything()
    {
        var merged = LoadChild("{}");

        merged.Name.Should().Be("base");
        merged.Description.Should().Be("the base");
        merged.OnError.Should().Be("escalate");
        merged.UnknownTools.Should().Be("escalate");
        merged.Mode.Should().Be("audit");
        merged.Self!.ServingPorts.Should().Equal(8000, 8001);
        merged.Tools!.Keys.Should().BeEquivalentTo("bash", "python");
        merged.Thresholds!.Deny.Should().Be(80);
        merged.Rules!.Select(r => r.Id).Should().Equal("one", "two", "three");
    }

    [Fact]
    public void Merge_ChildSetsScalars_ChildWins()
    {
        var merged = LoadChild("""{ "name": "child", "description": "the child", "onError": "deny", "unknownTools": "allow", "mode": "enforce" }""");

        (merged.Name, merged.Description, merged.OnError, merged.UnknownTools, merged.Mode)
            .Should().Be(("child", "the child", "deny", "allow", "enforce"));
    }

    [Fact]
    public void Merge_SelfLists_ConcatenateWithoutDuplicates()
    {
        var merged = LoadChild("""
            {
              "self": {
                "agentDirectories": ["/opt/agent", "/srv/agent"],
                "modelDirectories": ["/opt/llm"],
                "servingPorts": [8001, 9000],
                "processNames": ["vllm"],
                "guardPaths": ["/var/log/guard"],
                "guardProcesses": ["guardd"],
                "endpoints": ["http://127.0.0.1:9000/v1"],
                "guardEnvironment": ["GUARD_MODE"]
              }
            }
            """);

        var self = merged.Self!;
        self.AgentDirectories.Should().Equal("/opt/agent", "/srv/agent");
        self.ModelDirectories.Should().Equal("/models", "/opt/llm");
        self.ServingPorts.Should().Equal(8000, 8001, 9000);
        self.ProcessNames.Should().Equal("agent.py", "vllm");
        self.GuardPaths.Should().Equal("/etc/guard", "/var/log/guard");
        self.GuardProcesses.Should().Equal("guardd");
        self.Endpoints.Should().Equal("http://127.0.0.1:8000/v1", "http://127.0.0.1:9000/v1");
        self.GuardEnvironment.Should().Equal("GUARD_POLICY", "GUARD_MODE");
    }

    [Fact]
    public void Merge_DuplicatesWithinOneFile_AreRemoved()
    {
        var merged = LoadChild("""{ "self": { "guardPaths": ["/g", "/g", "/etc/guard"], "servingPorts": [9, 9] } }""");

        merged.Self!.GuardPaths.Should().Equal("/etc/guard", "/g");
        merged.Self.ServingPorts.Should().Equal(8000, 8001, 9);
    }

    [Fact]
    public void Merge_EmptyList_ClearsInheritedList()
    {
        var merged = LoadChild("""{ "self": { "servingPorts": [] }, "catalogs": { "replicationPhrases": [] } }""");

        merged.Self!.ServingPorts.Should().BeEmpty();
        merged.Self.ModelDirectories.Should().Equal("/models");
        merged.Catalogs!.ReplicationPhrases.Should().BeEmpty();
    }

    [Fact]
    public void Merge_ResourceCatalogs_MergeKindByKindAndListByList()
    {
        var merged = LoadChild("""
            {
              "catalogs": {
                "resources": {
                  "model-weights": { "paths": ["/opt/llm/**", "/models/**"], "extensions": [".safetensors"], "contextDirectories": ["*ckpt*"] },
                  "datasets": { "paths": ["/data/**"] }
                }
              }
            }
            """);

        var resources = merged.Catalogs!.Resources!;
        resources.Keys.Should().BeEquivalentTo("model-weights", "startup", "datasets");
        var weights = resources["model-weights"];
        weights.Paths.Should().Equal("/models/**", "/opt/llm/**");
        weights.Extensions.Should().Equal(".gguf", ".safetensors");
        weights.Names.Should().Equal("pytorch_model*.bin");
        weights.ContextExtensions.Should().Equal(".bin");
        weights.ContextDirectories.Should().Equal("*model*", "*ckpt*");
        resources["startup"].Paths.Should().Equal("/etc/cron.d/**");
        resources["datasets"].Paths.Should().Equal("/data/**");
    }

    [Fact]
    public void Merge_ProgramPythonModuleAndHostClasses_Concatenate()
    {
        var merged = LoadChild("""
            {
              "catalogs": {
                "programs": { "inference-server": ["ollama", "vllm"], "cloud-cli": ["aws"] },
                "pythonModules": { "inference-server": ["sglang.launch_server"] },
                "hosts": { "trusted": ["pypi.org"] },
                "replicationPhrases": ["replicate yourself", "copy yourself"]
              }
            }
            """);

        var catalogs = merged.Catalogs!;
        catalogs.Programs!["inference-server"].Should().Equal("vllm", "ollama");
        catalogs.Programs["transfer-tool"].Should().Equal("scp");
        catalogs.Programs["cloud-cli"].Should().Equal("aws");
        catalogs.PythonModules!["inference-server"].Should().Equal("vllm.entrypoints.openai.api_server", "sglang.launch_server");
        catalogs.Hosts!["trusted"].Should().Equal("github.com", "pypi.org");
        catalogs.ReplicationPhrases.Should().Equal("copy yourself", "replicate yourself");
    }

    [Fact]
    public void Merge_ToolBinding_ChildReplacesWholeBinding()
    {
        var merged = LoadChild("""{ "tools": { "bash": { "interpreter": "shell", "arguments": { "cwd": ["dir"] } }, "fetch": { "interpreter": "http" } } }""");

        merged.Tools!.Keys.Should().BeEquivalentTo("bash", "python", "fetch");
        merged.Tools["bash"].Arguments!.Keys.Should().Equal("cwd");
        merged.Tools["python"].Interpreter.Should().Be("python");
    }

    [Fact]
    public void Merge_ThresholdsAndLimits_OverridePerField()
    {
        var merged = LoadChild("""{ "thresholds": { "deny": 90 }, "limits": { "maxOperations": 10 } }""");

        (merged.Thresholds!.Escalate, merged.Thresholds.Deny).Should().Be((40, 90));
        merged.Limits!.MaxOperations.Should().Be(10);
        merged.Limits.MaxInputLength.Should().Be(1000);
        merged.Limits.MaxNestingDepth.Should().Be(8);
        merged.Limits.MaxDecodedLength.Should().Be(4000);
    }

    [Fact]
    public void Merge_RuleWithInheritedId_ReplacesItInPlaceAndNewRulesAppend()
    {
        var merged = LoadChild("""
            {
              "rules": [
                { "id": "new", "effect": "escalate", "when": { "operations": ["file.delete"] } },
                { "id": "two", "effect": "escalate", "when": { "operations": ["file.move"] } }
              ]
            }
            """);

        merged.Rules!.Select(r => (r.Id, r.Effect)).Should().Equal(
            ("one", "deny"), ("two", "escalate"), ("three", "deny"), ("new", "escalate"));
    }

    [Fact]
    public void Merge_RemoveRules_RemovesInheritedRules()
    {
        var result = Load("""{ "removeRules": ["one", "three"] }""");

        PolicyAssert.Succeeded(result);
        result.Diagnostics.Should().BeEmpty();
        result.Document!.Rules!.Select(r => r.Id).Should().Equal("two");
        result.Document.RemoveRules.Should().BeNull();
        result.Document.Extends.Should().BeNull();
    }

    [Fact]
    public void Merge_RemovedRuleRedefined_AppendsAtTheEnd()
    {
        var merged = LoadChild("""{ "removeRules": ["one"], "rules": [ { "id": "one", "effect": "escalate", "when": { "operations": ["file.copy"] } } ] }""");

        merged.Rules!.Select(r => (r.Id, r.Effect)).Should().Equal(("two", "deny"), ("three", "deny"), ("one", "escalate"));
    }

    [Fact]
    public void Merge_RemoveRulesUnknownId_WarnsGR2102AndStillLoads()
    {
        var result = Load("{\n  \"removeRules\": [\"two\", \"tow\"]\n}");

        PolicyAssert.Succeeded(result);
        var diagnostic = PolicyAssert.Single(result, "GR2102");
        diagnostic.Severity.Should().Be(PolicyDiagnosticSeverity.Warning);
        diagnostic.Message.Should().Contain("'tow'");
        diagnostic.Help.Should().Be("Did you mean 'two'?");
        (diagnostic.File, diagnostic.Line, diagnostic.Column, diagnostic.JsonPath).Should().Be(("child.json", 2, 26, "$.removeRules[1]"));
        result.Document!.Rules!.Select(r => r.Id).Should().Equal("one", "three");
    }

    [Fact]
    public void Merge_InputDocuments_AreNotMutated()
    {
        var parent = new PolicyDocument { Self = new SelfDocument { ServingPorts = [1] }, Rules = [new RuleDocument { Id = "a" }] };
        var child = new PolicyDocument { Self = new SelfDocument { ServingPorts = [2] }, Rules = [new RuleDocument { Id = "b" }] };
        var file = new PolicyFileContext("c", JsonPositionIndex.Empty, []);

        var merged = PolicyMerger.Merge([(parent, file), (child, file)]);

        merged.Self!.ServingPorts.Should().Equal(1, 2);
        merged.Rules!.Select(r => r.Id).Should().Equal("a", "b");
        parent.Self.ServingPorts.Should().Equal(1);
        parent.Rules.Should().ContainSingle();
        child.Self.ServingPorts.Should().Equal(2);
    }

    private static PolicyDocument LoadChild(string child)
    {
        var result = Load(child);
        PolicyAssert.Succeeded(result);
        return result.Document!;
    }

    private static PolicyLoadResult Load(string child)
    {
        using var dir = new TempPolicyDirectory();
        dir.Write("base.json", Base);
        var withExtends = child.TrimStart() == "{}" ? """{ "extends": ["base.json"] }""" : "{ \"extends\": [\"base.json\"]," + child.TrimStart()[1..];
        // Keep the child's own line numbers: the extends entry goes on its first line.
        return PolicyLoader.LoadText(withExtends, "child.json", dir.Path);
    }
}
