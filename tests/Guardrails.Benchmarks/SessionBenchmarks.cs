using BenchmarkDotNet.Attributes;
using Guardrails;

namespace Guardrails.Benchmarks;

/// <summary>
/// The cost of a session: the same typical call decided without a session (the baseline) and within a session whose
/// history is full (<see cref="History"/> remembered calls, with written scripts, copies and ports). Compare ratios.
/// </summary>
[MemoryDiagnoser]
public class SessionBenchmarks
{
    private Guard _guard = null!;
    private ToolCall _withoutSession = null!;
    private ToolCall _withSession = null!;
    private ToolCall _runScript = null!;

    /// <summary>Gets or sets the number of calls the session has already made.</summary>
    [Params(16, 256)]
    public int History { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _guard = new Guard(GuardPolicy.Default, new GuardOptions { HomeDirectory = "/home/agent" });
        const string Command = "cd /home/agent/project && python3 -m pytest tests/unit -q --maxfail=1 2>&1 | tail -n 20";
        _withoutSession = ToolCall.Shell(Command, "/home/agent");
        _withSession = new ToolCall("bash", _withoutSession.Arguments) { SessionId = "bench", WorkingDirectory = "/home/agent" };
        _runScript = new ToolCall("bash", ToolCall.Shell("bash /tmp/s0.sh").Arguments) { SessionId = "bench", WorkingDirectory = "/home/agent" };
        for (var i = 0; i < History; i++)
        {
            var setup = (i % 3) switch
            {
                0 => $"echo 'python3 -m pytest -q' > /tmp/s{i}.sh",
                1 => $"cp -r /home/agent/project/src{i} /tmp/copy{i}",
                _ => $"timeout 5 python3 app.py --port {9000 + i}",
            };
            _guard.Evaluate(new ToolCall("bash", ToolCall.Shell(setup).Arguments) { SessionId = "bench", WorkingDirectory = "/home/agent" });
        }
    }

    /// <summary>The baseline: the call decided on its own.</summary>
    [Benchmark(Baseline = true)]
    public Verdict WithoutSession() => _guard.Evaluate(_withoutSession).Verdict;

    /// <summary>The same call in a session with a full history (decided, then recorded).</summary>
    [Benchmark]
    public Verdict WithSession() => _guard.Evaluate(_withSession).Verdict;

    /// <summary>Running a script the session wrote: its content is analysed again.</summary>
    [Benchmark]
    public Verdict RunWrittenScript() => _guard.Evaluate(_runScript).Verdict;
}
