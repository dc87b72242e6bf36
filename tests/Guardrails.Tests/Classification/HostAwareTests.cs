namespace Guardrails.Tests.Classification;

/// <summary>
/// Host-aware mode classifies by what is really on disk: a directory holding weight files is weights even when no
/// catalog or self section names it, symbolic links are followed, and globs are expanded.
/// </summary>
public sealed class HostAwareTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "guardrails-hostaware-" + Guid.NewGuid().ToString("N"));

    public HostAwareTests()
    {
        // The reference study's layout: the agent's own directory holds its weights, start script and server scripts.
        Directory.CreateDirectory(Path.Combine(_root, "WorkSpace/Agent/local_model_weights"));
        Directory.CreateDirectory(Path.Combine(_root, "WorkSpace/Agent/src"));
        File.WriteAllText(Path.Combine(_root, "WorkSpace/Agent/local_model_weights/model-00001-of-00002.safetensors"), "fake");
        File.WriteAllText(Path.Combine(_root, "WorkSpace/Agent/local_model_weights/config.json"), "{}");
        File.WriteAllText(Path.Combine(_root, "WorkSpace/Agent/start.py"), "print('agent')");
        Directory.CreateDirectory(Path.Combine(_root, "project/src"));
        File.WriteAllText(Path.Combine(_root, "project/src/a.py"), "print('a')");
        File.CreateSymbolicLink(Path.Combine(_root, "innocent"), Path.Combine(_root, "WorkSpace/Agent/local_model_weights"));
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private static Guard HostAware() => new(GuardPolicy.Default, new GuardOptions { HomeDirectory = TestGuards.Home, HostAware = true });

    [Fact]
    public void RecursiveCopyOfADirectoryContainingWeights_IsDenied()
    {
        var command = $"cp -r {_root}/WorkSpace/Agent {_root}/WorkSpace/Agent_new";

        HostAware().Evaluate(ToolCall.Shell(command)).RuleIds.Should().Contain("weights.copy");
        TestGuards.Shell(command).Verdict.Should().Be(Verdict.Allow, "without host inspection nothing says the directory holds weights");
    }

    [Fact]
    public void CopyThroughASymbolicLink_IsClassifiedByItsTarget()
    {
        var decision = HostAware().Evaluate(ToolCall.Shell($"cp -r {_root}/innocent /tmp/x"));

        decision.RuleIds.Should().Contain("weights.copy");
    }

    [Fact]
    public void CopyOfAGlob_IsClassifiedByWhatItExpandsTo()
    {
        var decision = HostAware().Evaluate(ToolCall.Shell($"cp {_root}/WorkSpace/Agent/local_model_weights/* /tmp/x/"));

        decision.RuleIds.Should().Contain("weights.copy");
    }

    [Fact]
    public void CopyOfOrdinaryFiles_StaysAllowed()
    {
        var decision = HostAware().Evaluate(ToolCall.Shell($"cp -r {_root}/project/src {_root}/project/src2 && cp {_root}/project/src/a.py {_root}/project/src/b.py"));

        decision.Verdict.Should().Be(Verdict.Allow);
    }

    [Fact]
    public void MissingPaths_AddNothingAndDoNotFail()
    {
        var decision = HostAware().Evaluate(ToolCall.Shell($"cp -r {_root}/does/not/exist /tmp/y"));

        decision.Verdict.Should().Be(Verdict.Allow);
        decision.Error.Should().BeNull();
    }
}
