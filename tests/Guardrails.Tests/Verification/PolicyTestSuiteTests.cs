using Guardrails.Policies;
using Guardrails.Tests.Policies;
using Guardrails.Verification;

namespace Guardrails.Tests.Verification;

public sealed class PolicyTestSuiteTests
{
    [Fact]
    public void Parse_AllThreeCaseForms_ReadsStepsExpectationsAndRules()
    {
        var suite = PolicyTestSuite.Parse(
            """
            {
              // comments and trailing commas are fine
              "policy": "builtin:strict",
              "description": "team tests",
              "cases": [
                { "name": "copy", "command": "cp -r /models /tmp", "cwd": "/work", "expect": "deny", "rules": ["weights.copy"], "notRules": ["x"] },
                { "name": "write", "call": { "tool": "write_file", "arguments": { "file_path": "/tmp/a", "content": "hi" } }, "expect": "allow", "mutate": false },
                { "name": "session", "session": ["echo hi > /tmp/a.sh", { "command": "bash /tmp/a.sh", "expect": "allow" }], "expect": "block" },
              ],
            }
            """,
            "inline.json");

        suite.Policy.Should().Be("builtin:strict");
        suite.Description.Should().Be("team tests");
        suite.Cases.Select(c => c.Name).Should().Equal("copy", "write", "session");

        var copy = suite.Cases[0];
        copy.Expect.Should().Be(ExpectedVerdict.Deny);
        copy.Rules.Should().Equal("weights.copy");
        copy.NotRules.Should().Equal("x");
        copy.Steps.Should().ContainSingle().Which.Command.Should().Be("cp -r /models /tmp");
        copy.Steps[0].Call.Name.Should().Be("bash");
        copy.Steps[0].Call.WorkingDirectory.Should().Be("/work");
        copy.Line.Should().Be(6);

        suite.Cases[1].Mutate.Should().BeFalse();
        suite.Cases[1].Steps[0].Call.Name.Should().Be("write_file");
        suite.Cases[1].Steps[0].Command.Should().BeNull();

        var session = suite.Cases[2];
        session.IsSession.Should().BeTrue();
        session.Expect.Should().Be(ExpectedVerdict.Block);
        session.Steps[1].Expect.Should().Be(ExpectedVerdict.Allow);
        session.Steps.Select(s => s.Call.SessionId).Distinct().Should().ContainSingle();
    }

    [Fact]
    public void TryLoad_RelativePolicy_ResolvesAgainstTheTestFile()
    {
        using var temp = new TempPolicyDirectory();
        var file = temp.Write("sub/team.guardrails-tests.json", """{ "policy": "../team.json", "cases": [] }""");

        PolicyTestSuite.TryLoad(file, out var suite, out var diagnostics).Should().BeTrue(string.Join("\n", diagnostics));

        suite!.Policy.Should().Be(Path.Combine(temp.Path, "team.json"));
        suite.Cases.Should().BeEmpty();
    }

    [Fact]
    public void TryLoad_BrokenFile_ReportsEveryProblemWithLocation()
    {
        using var temp = new TempPolicyDirectory();
        var file = temp.Write("bad.guardrails-tests.json",
            """
            {
              "cases": [
                { "name": "a", "command": "ls", "expect": "dney" },
                { "name": "b", "command": "ls", "expect": "allow" },
                { "name": "b", "command": "ls", "expect": "allow" },
                { "name": "c", "expect": "allow" },
                { "name": "d", "command": "ls", "call": { "tool": "x", "arguments": {} }, "expect": "allow" },
                { "nmae": "e", "command": "ls", "expect": "allow" }
              ],
              "polcy": "x.json"
            }
            """);

        PolicyTestSuite.TryLoad(file, out var suite, out var diagnostics).Should().BeFalse();

        suite.Should().BeNull();
        diagnostics.Select(d => (d.Code, d.Line)).Should().BeEquivalentTo(new[]
        {
            ("GR3005", 3), ("GR3004", 5), ("GR3006", 6), ("GR3006", 7), ("GR3002", 8), ("GR3002", 10),
        });
        diagnostics.Single(d => d.Code == "GR3005").Help.Should().Be("Did you mean 'deny'?");
        diagnostics.Single(d => d.Line == 10).Message.Should().StartWith("unknown property 'polcy'");
        diagnostics.Should().OnlyContain(d => d.File == file && d.Column > 0);
    }

    [Fact]
    public void TryLoad_InvalidJson_ReportsGR3001AtThePosition()
    {
        using var temp = new TempPolicyDirectory();
        var file = temp.Write("x.guardrails-tests.json", "{\n  \"cases\": [\n    { \"name\": \"a\" \"command\": \"ls\" }\n  ]\n}\n");

        PolicyTestSuite.TryLoad(file, out _, out var diagnostics).Should().BeFalse();

        var diagnostic = diagnostics.Should().ContainSingle().Which;
        diagnostic.Code.Should().Be("GR3001");
        (diagnostic.Line, diagnostic.Column).Should().Be((3, 19));
    }

    [Fact]
    public void TryLoad_MissingFile_ReportsGR3003()
    {
        PolicyTestSuite.TryLoad("/nonexistent/dir/a.guardrails-tests.json", out _, out var diagnostics).Should().BeFalse();

        diagnostics.Should().ContainSingle().Which.Code.Should().Be("GR3003");
    }

    [Fact]
    public void Load_InvalidFile_ThrowsWithTheDiagnostics()
    {
        var act = () => PolicyTestSuite.Parse("""{ "cases": [ { "name": "a", "command": "ls" } ] }""", "t.json");

        act.Should().Throw<PolicyLoadException>().Which.Diagnostics.Should().ContainSingle(d => d.Message.Contains("has no \"expect\""));
    }

    [Fact]
    public void Discover_Directory_FindsTestFilesRecursivelyAndSkipsBuildOutput()
    {
        using var temp = new TempPolicyDirectory();
        temp.Write("a.guardrails-tests.json", "{}");
        temp.Write("nested/b.guardrails-tests.json", "{}");
        temp.Write("bin/Debug/c.guardrails-tests.json", "{}");
        temp.Write("other.json", "{}");

        var files = PolicyTestSuite.Discover([temp.Path]);

        files.Select(Path.GetFileName).Should().Equal("a.guardrails-tests.json", "b.guardrails-tests.json");
    }
}
