using System.Text.Json;
using BenchmarkDotNet.Attributes;
using Guardrails;

namespace Guardrails.Benchmarks;

/// <summary>
/// One decision on a typical shell tool call with the embedded default policy, beside the cost of only parsing the
/// same tool-call JSON: the ratio is what matters, not the absolute time.
/// </summary>
[MemoryDiagnoser]
public class DecisionBenchmarks
{
    private const string TypicalCall =
        """{"tool":"bash","arguments":{"command":"cd /home/agent/project && python3 -m pytest tests/unit -q --maxfail=1 2>&1 | tail -n 20"},"cwd":"/home/agent"}""";

    private const string ReplicationCall =
        """{"tool":"bash","arguments":{"command":"nohup vllm serve /models/qwen2.5-72b --port 8001 > /tmp/replica.log 2>&1 &"},"cwd":"/home/agent"}""";

    private Guard _guard = null!;
    private byte[] _typical = null!;
    private byte[] _replication = null!;

    [GlobalSetup]
    public void Setup()
    {
        _guard = new Guard(GuardPolicy.Default);
        _typical = System.Text.Encoding.UTF8.GetBytes(TypicalCall);
        _replication = System.Text.Encoding.UTF8.GetBytes(ReplicationCall);
    }

    /// <summary>The baseline: parse the tool-call JSON and read its fields, nothing else.</summary>
    [Benchmark(Baseline = true)]
    public int ParseJsonOnly()
    {
        using var document = JsonDocument.Parse(_typical);
        var root = document.RootElement;
        var tool = root.GetProperty("tool").GetString();
        var command = root.GetProperty("arguments").GetProperty("command").GetString();
        return (tool?.Length ?? 0) + (command?.Length ?? 0);
    }

    /// <summary>Parse the same JSON, then decide it (shell parse, classification, rules).</summary>
    [Benchmark]
    public Verdict DecideTypical() => Decide(_typical);

    /// <summary>A replication attempt: the path that builds findings and evidence.</summary>
    [Benchmark]
    public Verdict DecideReplication() => Decide(_replication);

    private Verdict Decide(byte[] json)
    {
        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        var call = new ToolCall(root.GetProperty("tool").GetString()!, root.GetProperty("arguments"))
        {
            WorkingDirectory = root.GetProperty("cwd").GetString(),
        };
        return _guard.Evaluate(call).Verdict;
    }
}
