using Guardrails.Policies;

namespace Guardrails.Tests.Policies;

/// <summary>Each problem a policy can have: code, severity, message, line, column and JSON path asserted together.</summary>
public sealed class PolicyDiagnosticsTests
{
    private const PolicyDiagnosticSeverity Error = PolicyDiagnosticSeverity.Error;
    private const PolicyDiagnosticSeverity Warning = PolicyDiagnosticSeverity.Warning;

    public static TheoryData<string, string, PolicyDiagnosticSeverity, string, int, int, string?> SyntaxAndTypeErrors => new()
    {
        // A typo'd property on line 4, column 7, with the valid names of that object listed.
        {
            """
            {
              "version": 1,
              "self": {
                  "agentDirectorys": ["/opt/agent"]
              }
            }
            """,
            "GR1002", Error, "unknown property 'agentDirectorys' in 'self'; expected one of: agentDirectories, modelDirectories, servingPorts, processNames, guardPaths, guardProcesses, endpoints, guardEnvironment",
            4, 7, "$.self.agentDirectorys"
        },
        { """{"detached": true}""", "GR1002", Error, "unknown property 'detached' in the policy; expected one of: $schema, version, name,", 1, 2, "$.detached" },
        { """{"rules": [{"id": "a", "iff": {}}]}""", "GR1002", Error, "unknown property 'iff' in 'rules[0]'; expected one of: id, description, message, capability, effect, score, when, suppresses", 1, 24, "$.rules[0].iff" },
        { "{\n  \"version\": \"1\"\n}", "GR1002", Error, "'version' must be an integer, but it is a string", 2, 3, "$.version" },
        { """{"version": 1.5}""", "GR1002", Error, "'version' must be an integer, but it is a number with a fraction", 1, 2, "$.version" },
        { "[]", "GR1002", Error, "the policy must be a JSON object, but it is an array", 1, 1, "$" },
        { "null", "GR1002", Error, "the policy is null", 1, 1, "$" },
        { """{"self": {"servingPorts": ["x"]}}""", "GR1002", Error, "'self.servingPorts[0]' must be an integer, but it is a string", 1, 28, "$.self.servingPorts[0]" },
        { """{"self": {"agentDirectories": "/opt"}}""", "GR1002", Error, "'self.agentDirectories' must be an array of strings, but it is a string", 1, 11, "$.self.agentDirectories" },
        { """{"rules": [1]}""", "GR1002", Error, "'rules[0]' must be an object, but it is a number", 1, 12, "$.rules[0]" },
        { """{"tools": {"my.tool": {"interpreter": 5}}}""", "GR1002", Error, "'tools['my.tool'].interpreter' must be a string, but it is a number", 1, 24, "$.tools['my.tool'].interpreter" },
        // 'è' is two UTF-8 bytes and '🚀' four (two UTF-16 chars): the column is 23 in characters, 26 in bytes.
        { """{"name": "modèle 🚀", "version": "x"}""", "GR1002", Error, "'version' must be an integer", 1, 23, "$.version" },
        { "{\n  \"name\": \"x\"\n  \"mode\": \"audit\"\n}", "GR1001", Error, "invalid JSON: '\"' is invalid after a value", 3, 3, null },
        // Syntax error after non-ASCII text on the same line: column 22 in characters, 25 in bytes.
        { """{"name": "modèle 🚀" "mode": "audit"}""", "GR1001", Error, "invalid JSON:", 1, 22, null },
        { "{\"a\": [1, 2}", "GR1001", Error, "invalid JSON:", 1, 12, null },
        { "{ /* never closed", "GR1001", Error, "invalid JSON:", 1, 3, null },
    };

    public static TheoryData<string, string, PolicyDiagnosticSeverity, string, int, int, string?> SemanticProblems => new()
    {
        { "{\n  \"version\": 2\n}", "GR2001", Error, "unsupported policy format version 2", 2, 3, "$.version" },
        { Rule("\"effect\": \"deny\",\n\"when\": { \"operations\": [\"file.copy\"] }"), "GR2002", Error, "rule #1 has no id", 3, 5, "$.rules[0]" },
        { Rule("\"id\": \"Bad Id\",\n\"effect\": \"deny\",\n\"when\": { \"operations\": [\"file.copy\"] }"), "GR2003", Error, "rule id 'Bad Id' is invalid", 4, 7, "$.rules[0].id" },
        {
            """
            {
              "rules": [
                { "id": "dup", "effect": "deny", "when": { "operations": ["file.copy"] } },
                { "id": "dup", "effect": "deny", "when": { "operations": ["file.move"] } }
              ]
            }
            """,
            "GR2004", Error, "rule id 'dup' is already used by rules[0] on line 3", 4, 7, "$.rules[1].id"
        },
        { Rule("\"id\": \"a\",\n\"effect\": \"block\",\n\"when\": { \"operations\": [\"file.copy\"] }"), "GR2005", Error, "unknown effect 'block' in rule 'a'; expected one of: score, escalate, deny, allow", 5, 7, "$.rules[0].effect" },
        { Rule("\"id\": \"a\",\n\"score\": 150,\n\"when\": { \"operations\": [\"file.copy\"] }"), "GR2006", Error, "score 150 of rule 'a' is outside 0-100", 5, 7, "$.rules[0].score" },
        { Rule("\"id\": \"a\",\n\"when\": { \"operations\": [\"file.copy\"] }"), "GR2007", Warning, "rule 'a' has effect 'score' but no score, so it can never change a decision", 3, 5, "$.rules[0]" },
        { Rule("\"id\": \"a\",\n\"score\": 0,\n\"when\": { \"operations\": [\"file.copy\"] }"), "GR2007", Warning, "can never change a decision", 5, 7, "$.rules[0].score" },
        { Rule("\"id\": \"a\",\n\"effect\": \"deny\""), "GR2008", Error, "rule 'a' has no conditions, so it would match every operation", 3, 5, "$.rules[0]" },
        { Rule("\"id\": \"a\",\n\"effect\": \"deny\",\n\"when\": {}"), "GR2008", Error, "would match every operation", 6, 7, "$.rules[0].when" },
        { WhenList("operations", "\"process.start\""), "GR2009", Error, "unknown operation 'process.start'; expected one of: process.launch, file.read,", 8, 11, "$.rules[0].when.operations[0]" },
        {
            Rule("\"id\": \"a\",\n\"effect\": \"deny\",\n\"when\": {\n  \"operations\": [\"file.copy\"],\n  \"unless\": {\n    \"operations\": [\"file.bogus\"]\n  }\n}"),
            "GR2009", Error, "unknown operation 'file.bogus'", 9, 26, "$.rules[0].when.unless.operations[0]"
        },
        { WhenList("capabilities", "\"weights.cpy\""), "GR2010", Warning, "capability 'weights.cpy' is not a well-known capability; did you mean 'weights.copy'?", 8, 11, "$.rules[0].when.capabilities[0]" },
        { WhenList("resources", "\"model-weight\""), "GR2011", Warning, "resource kind 'model-weight' is not defined by any catalog", 8, 11, "$.rules[0].when.resources[0]" },
        { WhenList("arguments", "\"(a)\\\\1\""), "GR2012", Error, "regular expression '(a)\\1' needs backtracking, but argument regexes run without backtracking", 8, 11, "$.rules[0].when.arguments[0]" },
        { WhenList("arguments", "\"(?=x)\""), "GR2012", Error, "regular expression '(?=x)' needs backtracking, but argument regexes run without backtracking", 8, 11, "$.rules[0].when.arguments[0]" },
        { WhenList("arguments", "\"(?>atomic)\""), "GR2012", Error, "without backtracking", 8, 11, "$.rules[0].when.arguments[0]" },
        { WhenList("arguments", "\"[unclosed\""), "GR2012", Error, "regular expression '[unclosed' is invalid", 8, 11, "$.rules[0].when.arguments[0]" },
        { WhenList("paths", "\"/models/[a\""), "GR2013", Error, "invalid path glob '/models/[a'", 8, 11, "$.rules[0].when.paths[0]" },
        { WhenList("programs", "\"[z-a]*\""), "GR2013", Error, "invalid program glob '[z-a]*'", 8, 11, "$.rules[0].when.programs[0]" },
        { WhenList("hosts", "\"\""), "GR2024", Error, "the list contains an empty string", 8, 11, "$.rules[0].when.hosts[0]" },
        { WhenList("ports", "70000"), "GR2014", Error, "port 70000 is not an integer between 0 and 65535", 8, 11, "$.rules[0].when.ports[0]" },
        { WhenList("ports", "\"9-3\""), "GR2014", Error, "port range '9-3' is reversed: 9 is greater than 3", 8, 11, "$.rules[0].when.ports[0]" },
        { WhenList("ports", "\"http\""), "GR2014", Error, "port 'http' is not a range", 8, 11, "$.rules[0].when.ports[0]" },
        { WhenList("ports", "true"), "GR2014", Error, "port true is neither a port number nor a range string", 8, 11, "$.rules[0].when.ports[0]" },
        { "{\n  \"self\": { \"servingPorts\": [70000] }\n}", "GR2014", Error, "serving port 70000 is outside 0-65535", 2, 30, "$.self.servingPorts[0]" },
        { Rule("\"id\": \"a\",\n\"effect\": \"deny\",\n\"when\": {\n  \"direction\": \"sideways\"\n}"), "GR2015", Error, "unknown direction 'sideways'; expected one of: upload, download", 7, 9, "$.rules[0].when.direction" },
        { "{\n  \"thresholds\": { \"escalate\": 90, \"deny\": 50 }\n}", "GR2016", Error, "thresholds.escalate (90) must not be greater than thresholds.deny (50)", 2, 19, "$.thresholds.escalate" },
        { "{\n  \"thresholds\": { \"deny\": 0 }\n}", "GR2016", Error, "thresholds.deny is 0, but thresholds must be between 1 and 100", 2, 19, "$.thresholds.deny" },
        { "{\n  \"onError\": \"allow\"\n}", "GR2017", Error, "unknown onError 'allow'; expected one of: deny, escalate", 2, 3, "$.onError" },
        { "{\n  \"unknownTools\": \"block\"\n}", "GR2018", Error, "unknown unknownTools 'block'; expected one of: allow, escalate, deny", 2, 3, "$.unknownTools" },
        { "{\n  \"mode\": \"Audit\"\n}", "GR2019", Error, "unknown mode 'Audit'; expected one of: enforce, audit", 2, 3, "$.mode" },
        { "{\n  \"tools\": {\n    \"bash\": { \"interpreter\": \"bash\" }\n  }\n}", "GR2020", Error, "unknown interpreter 'bash' for tool 'bash'; expected one of: shell, python, file-write, file-edit, file-read, file-copy, process, http, generic", 3, 15, "$.tools.bash.interpreter" },
        { "{\n  \"tools\": {\n    \"bash\": { \"arguments\": { \"command\": [\"cmd\"] } }\n  }\n}", "GR2020", Error, "tool binding 'bash' has no interpreter", 3, 5, "$.tools.bash" },
        { "{\n  \"tools\": {\n    \"bash\": {\n      \"interpreter\": \"shell\",\n      \"arguments\": { \"cmd\": [\"c\"] }\n    }\n  }\n}", "GR2021", Error, "argument role 'cmd' is not used by the shell interpreter; expected one of: command, cwd", 5, 22, "$.tools.bash.arguments.cmd" },
        { "{\n  \"tools\": {\n    \"t\": { \"interpreter\": \"generic\", \"arguments\": { \"url\": [\"u\"] } }\n  }\n}", "GR2021", Error, "which takes no argument roles", 3, 53, "$.tools.t.arguments.url" },
        { Rule("\"id\": \"a\",\n\"effect\": \"deny\",\n\"suppresses\": [\"x\"],\n\"when\": { \"operations\": [\"file.copy\"] }"), "GR2022", Warning, "rule 'a' has 'suppresses' but its effect is 'deny', so it suppresses nothing", 6, 7, "$.rules[0].suppresses" },
        { "{\n  \"limits\": { \"maxOperations\": 0 }\n}", "GR2023", Error, "limits.maxOperations is 0, but limits must be positive", 2, 15, "$.limits.maxOperations" },
        { "{\n  \"self\": { \"agentDirectories\": [\"/opt\", \"\"] }\n}", "GR2024", Error, "the list contains an empty string", 2, 42, "$.self.agentDirectories[1]" },
        { "{\n  \"catalogs\": { \"programs\": { \"x\": [null] } }\n}", "GR2024", Error, "the list contains null", 2, 37, "$.catalogs.programs.x[0]" },
        { "{\n  \"rules\": [null]\n}", "GR2024", Error, "rule is null", 2, 13, "$.rules[0]" },
        { "{\n  \"removeRules\": [\"ghost\"]\n}", "GR2102", Warning, "removeRules names 'ghost', but no base policy defines a rule with that id", 2, 19, "$.removeRules[0]" },
    };

    [Theory]
    [MemberData(nameof(SyntaxAndTypeErrors))]
    [MemberData(nameof(SemanticProblems))]
    public void LoadText_Problem_ReportsCodeMessageAndLocation(
        string json, string code, PolicyDiagnosticSeverity severity, string message, int line, int column, string? path)
    {
        var result = PolicyLoader.LoadText(json, "policy.json");

        var diagnostic = PolicyAssert.Single(result, code);
        diagnostic.Severity.Should().Be(severity);
        diagnostic.Message.Should().Contain(message);
        (diagnostic.File, diagnostic.Line, diagnostic.Column, diagnostic.JsonPath).Should().Be(("policy.json", line, column, path));
        diagnostic.Help.Should().NotBeNullOrWhiteSpace();
        result.Success.Should().Be(severity == Warning);
        (result.Document is null).Should().Be(severity == Error);
    }

    [Fact]
    public void LoadText_UnknownPropertyCloseToValidName_SuggestsIt()
    {
        var result = PolicyLoader.LoadText("""{"sefl": {"agentDirectories": []}}""", "p.json");

        PolicyAssert.Single(result, "GR1002").Help.Should().StartWith("Did you mean 'self'?");
    }

    [Fact]
    public void LoadText_CaseMismatchedEnumValue_SuggestsLowerCase()
    {
        var result = PolicyLoader.LoadText("""{"mode": "Audit"}""", "p.json");

        PolicyAssert.Single(result, "GR2019").Help.Should().Be("Did you mean 'audit'?");
    }

    [Fact]
    public void LoadText_ManyProblems_ReportsAllAtOnceInFileOrder()
    {
        const string Json = """
            {
              "version": 3,
              "mode": "loud",
              "rules": [
                { "id": "UPPER", "effect": "deny", "when": { "ports": [70000] } },
                { "effect": "nope" }
              ],
              "thresholds": { "escalate": 0 }
            }
            """;

        var result = PolicyLoader.LoadText(Json, "p.json");

        PolicyAssert.Failed(result);
        result.Diagnostics.Select(d => $"{d.Code}@{d.Line}:{d.Column}").Should().Equal(
            "GR2001@2:3", "GR2019@3:3", "GR2003@5:7", "GR2014@5:60", "GR2002@6:5", "GR2008@6:5", "GR2005@6:7", "GR2016@8:19");
    }

    [Fact]
    public void LoadText_ResourceKindDefinedByBaseCatalog_DoesNotWarn()
    {
        using var dir = new TempPolicyDirectory();
        dir.Write("base.json", """{ "catalogs": { "resources": { "datasets": { "paths": ["/data/**"] } }, "programs": { "trainer": ["torchrun"] } } }""");
        const string Child = """
            {
              "extends": ["base.json"],
              "rules": [ { "id": "a", "effect": "deny", "when": { "resources": ["datasets", "trainer", "model-weights"] } } ]
            }
            """;

        var result = PolicyLoader.LoadText(Child, "child.json", dir.Path);

        PolicyAssert.Succeeded(result);
        result.Diagnostics.Should().BeEmpty();
    }

    [Fact]
    public void LoadText_ThresholdsSplitAcrossFiles_ReportsGR2016InTheLastFileThatSetThem()
    {
        using var dir = new TempPolicyDirectory();
        dir.Write("base.json", """{ "thresholds": { "escalate": 70, "deny": 90 } }""");

        var result = PolicyLoader.LoadText("{\n  \"extends\": [\"base.json\"],\n  \"thresholds\": { \"deny\": 60 }\n}", "child.json", dir.Path);

        var diagnostic = PolicyAssert.Single(result, "GR2016");
        diagnostic.Message.Should().Contain("thresholds.escalate (70) must not be greater than thresholds.deny (60)");
        (diagnostic.File, diagnostic.Line, diagnostic.Column, diagnostic.JsonPath).Should().Be(("child.json", 3, 19, "$.thresholds.deny"));
    }

    [Fact]
    public void LoadFile_ErrorInBase_IsReportedAgainstTheBaseFile()
    {
        using var dir = new TempPolicyDirectory();
        var basePath = dir.Write("base.json", "{\n  \"mode\": \"loud\"\n}");
        var top = dir.Write("top.json", """{ "extends": ["base.json"], "onError": "panic" }""");

        var result = PolicyLoader.LoadFile(top);

        PolicyAssert.Failed(result);
        result.Diagnostics.Select(d => (d.Code, d.File)).Should().Equal(("GR2019", basePath), ("GR2017", top));
    }

    [Fact]
    public void ToString_FullLocation_UsesCompilerFormat()
    {
        var diagnostic = new PolicyDiagnostic("GR2014", PolicyDiagnosticSeverity.Error, "port 70000 is out of range", "help", "/etc/p.json", 4, 7, "$.rules[2].when.ports[0]");

        diagnostic.ToString().Should().Be("/etc/p.json(4,7): error GR2014: port 70000 is out of range [at $.rules[2].when.ports[0]]");
    }

    [Theory]
    [InlineData(null, 0, 0, null, "warning GR2010: m")]
    [InlineData("p.json", 0, 0, null, "p.json: warning GR2010: m")]
    [InlineData("p.json", 3, 0, null, "p.json(3): warning GR2010: m")]
    [InlineData("p.json", 3, 9, "$.a", "p.json(3,9): warning GR2010: m [at $.a]")]
    public void ToString_PartialLocation_OmitsUnknownParts(string? file, int line, int column, string? path, string expected)
    {
        new PolicyDiagnostic("GR2010", PolicyDiagnosticSeverity.Warning, "m", null, file, line, column, path).ToString().Should().Be(expected);
    }

    [Fact]
    public void PolicyLoadException_Diagnostics_MessageListsErrorsOnePerLine()
    {
        PolicyDiagnostic[] diagnostics =
        [
            new("GR2001", PolicyDiagnosticSeverity.Error, "bad version", null, "p.json", 2, 3, "$.version"),
            new("GR2010", PolicyDiagnosticSeverity.Warning, "odd capability", null, "p.json", 5, 7, "$.rules[0].capability"),
            new("GR2019", PolicyDiagnosticSeverity.Error, "bad mode", null, "p.json", 3, 3, "$.mode"),
        ];

        var exception = new PolicyLoadException("policy 'p.json' is invalid", diagnostics);

        exception.Message.Split('\n').Should().Equal(
            "policy 'p.json' is invalid",
            "p.json(2,3): error GR2001: bad version [at $.version]",
            "p.json(3,3): error GR2019: bad mode [at $.mode]");
        exception.Diagnostics.Should().BeSameAs(diagnostics);
    }

    [Fact]
    public void PolicyLoadException_StandardConstructors_HaveNoDiagnostics()
    {
        new PolicyLoadException().Diagnostics.Should().BeEmpty();
        new PolicyLoadException("m").Message.Should().Be("m");
        var inner = new InvalidOperationException();
        new PolicyLoadException("m", inner).InnerException.Should().BeSameAs(inner);
    }

    // A policy with one rule whose body lines start on line 4 at column 7.
    private static string Rule(string body) =>
        "{\n  \"rules\": [\n    {\n" + string.Join("\n", body.Split('\n').Select(l => "      " + l)) + "\n    }\n  ]\n}";

    // A deny rule whose only condition is `key` with one element, which lands on line 8, column 11.
    private static string WhenList(string key, string element) =>
        Rule($"\"id\": \"a\",\n\"effect\": \"deny\",\n\"when\": {{\n  \"{key}\": [\n    {element}\n  ]\n}}");
}
