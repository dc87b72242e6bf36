using Guardrails.Policies;

namespace Guardrails.Tests.Policies;

public sealed class RuleExamplesTests
{
    [Fact]
    public void Load_ExamplesThatHold_Loads()
    {
        var result = PolicyLoader.LoadText(
            """
            { "rules": [ {
                "id": "x.pip", "effect": "escalate",
                "when": { "programs": ["pip", "pip3"], "arguments": ["\\binstall\\b"] },
                "examples": {
                  "match": ["pip install vllm", "cd /tmp && pip3 install -U torch", { "tool": "run_shell_command", "arguments": { "command": "pip install x" }, "cwd": "/w" }],
                  "notMatch": ["pip list", "echo pip install"]
                } } ] }
            """, "p.json");

        result.Success.Should().BeTrue(string.Join("\n", result.Diagnostics));
        result.Compiled.Should().NotBeNull("the policy is compiled once, to check the examples, and reused");
    }

    [Fact]
    public void Load_ExampleTheRuleDoesNotMatch_IsAnErrorAtTheExample()
    {
        var result = PolicyLoader.LoadText(
            """
            {
              "rules": [ {
                "id": "x.pip", "effect": "escalate",
                "when": { "programs": ["pip"], "arguments": ["\\binstall\\b"] },
                "examples": {
                  "match": ["pip install vllm", "pip3 install vllm"],
                  "notMatch": ["pip list", "pip install --dry-run x"]
                }
              } ]
            }
            """, "p.json");

        result.Success.Should().BeFalse();
        var missed = PolicyAssert.Single(result, "GR2302");
        missed.Message.Should().StartWith("rule 'x.pip' does not match its example 'pip3 install vllm' (derived operations: process.launch");
        (missed.Line, missed.Column, missed.JsonPath).Should().Be((6, 37, "$.rules[0].examples.match[1]"));
        var unwanted = PolicyAssert.Single(result, "GR2303");
        unwanted.Message.Should().Be("rule 'x.pip' matches 'pip install --dry-run x', which its examples say it must not match");
        (unwanted.Line, unwanted.JsonPath).Should().Be((7, "$.rules[0].examples.notMatch[1]"));
    }

    [Theory]
    [InlineData("[42]", "an example must be a command string or a tool call object, not number")]
    [InlineData("[\"\"]", "the example is an empty command")]
    [InlineData("[{ \"tool\": \"bash\" }]", "the example call has no 'arguments'")]
    [InlineData("[{ \"tool\": \"bash\", \"arguments\": {}, \"session\": \"s\" }]", "unknown property 'session'; an example call has tool, arguments and cwd")]
    public void Load_MalformedExample_IsGR2301(string match, string problem)
    {
        var result = PolicyLoader.LoadText($$"""{ "rules": [ { "id": "x", "effect": "deny", "when": { "programs": ["x"] }, "examples": { "match": {{match}} } } ] }""", "p.json");

        var diagnostic = PolicyAssert.Single(result, "GR2301");
        diagnostic.Message.Should().Be("invalid rule example: " + problem);
        diagnostic.JsonPath.Should().Be("$.rules[0].examples.match[0]");
    }

    [Fact]
    public void Load_InheritedRuleReplaced_ChecksTheExamplesWhereTheyAreWritten()
    {
        using var temp = new TempPolicyDirectory();
        temp.Write("base.json", """{ "rules": [ { "id": "x", "effect": "deny", "when": { "programs": ["scp"] }, "examples": { "match": ["scp a b:c"] } } ] }""");
        var child = temp.Write("child.json", """{ "extends": ["base.json"], "rules": [ { "id": "x", "effect": "deny", "when": { "programs": ["rsync"] }, "examples": { "match": ["scp a b:c"] } } ] }""");

        var result = PolicyLoader.LoadFile(child);

        PolicyAssert.Single(result, "GR2302").File.Should().Be(child);
    }

    [Fact]
    public void GuardPolicy_WithExamples_ReusesTheCompiledPolicy()
    {
        var policy = GuardPolicy.Parse("""{ "rules": [ { "id": "x", "effect": "deny", "when": { "programs": ["scp"] }, "examples": { "match": ["scp a b:c"] } } ] }""");

        new Guard(policy).Evaluate(ToolCall.Shell("scp a b:c")).Verdict.Should().Be(Verdict.Deny);
    }
}
