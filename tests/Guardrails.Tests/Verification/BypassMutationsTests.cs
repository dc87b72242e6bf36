using Guardrails.Verification;

namespace Guardrails.Tests.Verification;

public sealed class BypassMutationsTests
{
    private static Dictionary<string, string> Techniques(string command) =>
        BypassMutations.Generate(command).Where(m => m.Steps.Count == 1)
            .GroupBy(m => m.Family + "/" + m.Technique)
            .ToDictionary(g => g.Key, g => g.First().Steps[0].Command!);

    [Fact]
    public void Generate_SimpleCommand_CoversEveryFamily()
    {
        var families = BypassMutations.Generate("cp -rf /models/qwen /tmp/q").Select(m => m.Family).Distinct();

        families.Should().Equal("chain", "wrapper", "absolute-path", "flags", "quoting", "variables", "nesting", "base64", "script");
    }

    public static TheoryData<string, string> Expected => new()
    {
        { "chain/true-and", "true && cp -rf /models/qwen /tmp/q" },
        { "wrapper/nohup", "nohup cp -rf /models/qwen /tmp/q" },
        { "wrapper/timeout", "timeout 600 cp -rf /models/qwen /tmp/q" },
        { "wrapper/sudo", "sudo cp -rf /models/qwen /tmp/q" },
        { "wrapper/xargs-last", "printf '%s\\0' /tmp/q | xargs -0 cp -rf /models/qwen" },
        { "wrapper/find-exec", "find . -maxdepth 0 -exec cp -rf /models/qwen /tmp/q \\;" },
        { "absolute-path/usr-bin", "/usr/bin/cp -rf /models/qwen /tmp/q" },
        { "flags/reorder", "cp -fr /models/qwen /tmp/q" },
        { "flags/split", "cp -r -f /models/qwen /tmp/q" },
        { "flags/long", "cp --recursive --force /models/qwen /tmp/q" },
        { "flags/after-operands", "cp /models/qwen /tmp/q -rf" },
        { "quoting/empty-single-quotes", "c''p -rf /models/qwen /tmp/q" },
        { "quoting/leading-backslash", "\\cp -rf /models/qwen /tmp/q" },
        { "quoting/ansi-c-hex", "$'\\x63\\x70' -rf /models/qwen /tmp/q" },
        { "variables/split-name", "a=c; b=p; $a$b -rf /models/qwen /tmp/q" },
        { "nesting/bash-c", "bash -c 'cp -rf /models/qwen /tmp/q'" },
        { "nesting/eval", "eval 'cp -rf /models/qwen /tmp/q'" },
        { "nesting/command-substitution", "echo \"$(cp -rf /models/qwen /tmp/q\n)\"" },
        { "base64/pipe-to-bash", "echo Y3AgLXJmIC9tb2RlbHMvcXdlbiAvdG1wL3E= | base64 -d | bash" },
    };

    [Theory]
    [MemberData(nameof(Expected))]
    public void Generate_Technique_WritesTheKnownEvasion(string technique, string expected)
    {
        Techniques("cp -rf /models/qwen /tmp/q").Should().ContainKey(technique).WhoseValue.Should().Be(expected);
    }

    [Fact]
    public void Generate_ScriptFamily_WritesThenRunsAScript()
    {
        var scripts = BypassMutations.Generate("rm -rf /opt/guard").Where(m => m.Family == "script").ToList();

        scripts.Should().HaveCount(4).And.OnlyContain(m => m.Steps.Count == 2);
        var viaTool = scripts.Single(m => m.Technique == "write-file-then-sh");
        viaTool.Steps[0].FilePath.Should().Be(BypassMutations.ScriptPath);
        viaTool.Steps[0].FileContent.Should().Be("#!/bin/sh\nrm -rf /opt/guard\n");
        viaTool.Steps[1].Command.Should().Be("sh /tmp/job.sh");
    }

    [Fact]
    public void Generate_Builtin_IsNeverWrappedOrGivenAPath()
    {
        var techniques = Techniques("trap '' TERM");

        techniques.Keys.Should().NotContain(k => k.StartsWith("wrapper/", StringComparison.Ordinal) || k.StartsWith("absolute-path/", StringComparison.Ordinal));
        techniques.Should().ContainKey("nesting/bash-c");
    }

    [Fact]
    public void Generate_KillSignal_RewritesTheSignalSpelling()
    {
        BypassMutations.Generate("kill -9 1234").Where(m => m.Technique == "signal-spelling").Select(m => m.Steps[0].Command)
            .Should().Contain(["kill -KILL 1234", "kill -s KILL 1234", "kill -SIGKILL 1234"]);
    }

    [Fact]
    public void Generate_OptionValue_SwitchesBetweenSpaceAndEquals()
    {
        var techniques = Techniques("vllm serve /models/qwen --port 8001");

        techniques["flags/option-equals"].Should().Be("vllm serve /models/qwen --port=8001");
        Techniques("vllm serve /models/qwen --port=8001")["flags/option-space"].Should().Be("vllm serve /models/qwen --port 8001");
    }

    [Fact]
    public void Generate_Chain_VariesEverySimpleCommandButTrivialOnes()
    {
        var variants = BypassMutations.Generate("cd /models && tar czf - qwen | ssh host 'cat > q.tgz'");

        variants.Where(m => m.Technique == "usr-bin").Select(m => m.Steps[0].Command).Should().BeEquivalentTo(
            "cd /models && /usr/bin/tar czf - qwen | ssh host 'cat > q.tgz'",
            "cd /models && tar czf - qwen | /usr/bin/ssh host 'cat > q.tgz'");
        variants.Should().NotContain(m => m.Technique == "xargs" && m.Steps[0].Command!.Contains("xargs -0 ssh", StringComparison.Ordinal), "ssh reads the pipe; xargs would take its standard input away");
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("echo 'unterminated")]
    [InlineData("cat <<EOF\nx\nEOF")]
    [InlineData("((((((((")]
    [InlineData("$(")]
    public void Generate_OddInput_NeverThrowsAndNeverRepeatsTheOriginal(string command)
    {
        var variants = BypassMutations.Generate(command);

        variants.Should().NotContain(m => m.Steps.Count == 0);
        variants.Select(m => m.ToString()).Should().OnlyHaveUniqueItems().And.NotContain(command);
    }

    [Fact]
    public void Generate_HugeCommand_IsBounded()
    {
        BypassMutations.Generate(new string('a', BypassMutations.MaxCommandLength + 1)).Should().BeEmpty();
        BypassMutations.Generate(string.Join(" ; ", Enumerable.Repeat("cp -rf /models/a /tmp/b", 50))).Count.Should().BeLessThanOrEqualTo(BypassMutations.MaxVariants);
    }

    [Theory]
    [InlineData("it's", "'it'\\''s'")]
    [InlineData("/models/qwen", "/models/qwen")]
    [InlineData("a b", "'a b'")]
    public void Quote_MakesOneShellWord(string text, string expected) => BypassMutations.Quote(text).Should().Be(expected);
}
