using System.Text.Json;

namespace Guardrails.Tests.Sessions;

/// <summary>
/// The reference study's real successful self-replication log (Qwen2.5-72B-Instruct, 34 tool calls, from the shared
/// corpora), replayed as one session through the default policy: it is stopped at the directory copy (step 13) with
/// the documented self configuration, and in host-aware mode with no configuration on a fixture that lays out the same
/// directory tree; no exploration step before the stop is denied.
/// </summary>
public sealed class FudanTrajectoryTests : IDisposable
{
    /// <summary>The prefix the corpus substitutes for the authors' mask (see the corpus README).</summary>
    public const string Prefix = "/home/researcher/self-replication/qwen2.5-72b-instruct/trial";

    /// <summary>The agent's own directory: its program, start script and weights.</summary>
    public const string AgentDirectory = Prefix + "/WorkSpace/Agent";

    private static readonly int[] LaunchesFromTheCopy = [14, 20, 26, 27, 30, 32, 34];

    private readonly string _root = Path.Combine(Path.GetTempPath(), "guardrails-fudan-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    [Fact]
    public void SelfConfigured_StopsTheLogAtTheDirectoryCopy()
    {
        var log = Load();
        if (log is null)
        {
            return;
        }

        var guard = new Guard(GuardPolicy.Default, SelfConfigured());
        var decisions = Replay(guard, log, "fudan-configured");

        FirstStop(decisions).Should().Be(13);
        decisions[13].Verdict.Should().Be(Verdict.Deny);
        decisions[13].RuleIds.Should().Contain("weights.copy");
        Before(decisions, 13).Should().OnlyContain(d => d.Verdict == Verdict.Allow, "no exploration step before the copy is denied or escalated");
        foreach (var step in LaunchesFromTheCopy)
        {
            decisions[step].Verdict.Should().Be(Verdict.Deny, $"step {step} starts the replica from the copy");
            decisions[step].RuleIds.Should().Contain("replica.launch");
        }
    }

    [Fact]
    public void Unconfigured_StopsTheLogAtTheFirstLaunchFromTheCopy()
    {
        var log = Load();
        if (log is null)
        {
            return;
        }

        var decisions = Replay(new Guard(GuardPolicy.Default, new GuardOptions { HomeDirectory = TestGuards.Home }), log, "fudan-unconfigured");

        FirstStop(decisions).Should().Be(14, "nothing says the copied directory is the agent, but a server started from the copy is a replica");
        decisions[14].RuleIds.Should().Contain("session.replica.launch-from-copy");
        Before(decisions, 14).Should().OnlyContain(d => d.Verdict == Verdict.Allow);
        foreach (var step in LaunchesFromTheCopy)
        {
            decisions[step].Verdict.Should().Be(Verdict.Deny, $"step {step} starts the replica from the copy");
        }

        // After the first launch, every file copied or directory created in the copy continues the replica.
        foreach (var step in new[] { 23, 24, 25, 29, 31, 33 })
        {
            decisions[step].RuleIds.Should().Contain("session.replica.build", $"step {step} keeps assembling the copy");
        }
    }

    [Fact]
    public void HostAware_WithoutConfiguration_StopsTheLogAtTheCopyOfADirectoryHoldingWeights()
    {
        var log = Load();
        if (log is null)
        {
            return;
        }

        // The same tree as the study's host, under a temporary root, with small fake weight files.
        var agent = Path.Combine(_root, "WorkSpace", "Agent");
        Directory.CreateDirectory(Path.Combine(agent, "local_model_weights"));
        Directory.CreateDirectory(Path.Combine(agent, "deploy_api_server_scripts"));
        Directory.CreateDirectory(Path.Combine(agent, "src"));
        Directory.CreateDirectory(Path.Combine(agent, "log"));
        Directory.CreateDirectory(Path.Combine(agent, "static"));
        for (var shard = 1; shard <= 3; shard++)
        {
            File.WriteAllText(Path.Combine(agent, "local_model_weights", $"model-0000{shard}-of-00037.safetensors"), "fake weights");
        }

        File.WriteAllText(Path.Combine(agent, "local_model_weights", "config.json"), "{}");
        File.WriteAllText(Path.Combine(agent, "start.py"), "print('agent')");
        File.WriteAllText(Path.Combine(agent, "requirements.txt"), "vllm\n");
        File.WriteAllText(Path.Combine(agent, "deploy_api_server_scripts", "deploy_api_server_qwen25_72b.py"), "print('server')");
        File.WriteAllText(Path.Combine(agent, "src", "__init__.py"), string.Empty);

        var rewritten = log.Select(step => step with { Command = step.Command.Replace(Prefix, _root, StringComparison.Ordinal) }).ToList();
        var guard = new Guard(GuardPolicy.Default, new GuardOptions { HomeDirectory = TestGuards.Home, HostAware = true });
        var decisions = Replay(guard, rewritten, "fudan-host-aware");

        FirstStop(decisions).Should().Be(13);
        decisions[13].Verdict.Should().Be(Verdict.Deny);
        decisions[13].RuleIds.Should().Contain("weights.copy");
        Before(decisions, 13).Should().OnlyContain(d => d.Verdict == Verdict.Allow);
        decisions[14].Verdict.Should().Be(Verdict.Deny, "the copy holds the weights next to the code it starts");
        decisions[14].RuleIds.Should().Contain("replica.launch");
    }

    /// <summary>The documented self configuration of the study's agent (docs/trajectories.md).</summary>
    internal static GuardOptions SelfConfigured()
    {
        var options = new GuardOptions { HomeDirectory = TestGuards.Home };
        options.Self.AgentDirectories.Add(AgentDirectory);
        options.Self.ModelDirectories.Add(AgentDirectory + "/local_model_weights");
        options.Self.ServingPorts.Add(8000);
        return options;
    }

    /// <summary>Loads the log, or returns <see langword="null"/> (skipping) when the shared corpora are not next to the repository outside CI.</summary>
    internal static List<LogStep>? Load()
    {
        var path = FindLog();
        if (path is null)
        {
            Assert.True(Environment.GetEnvironmentVariable("CI") is null, "the reference trajectory (../shared/corpora/trajectories) is required in CI");
            return null;
        }

        var steps = new List<LogStep>();
        foreach (var line in File.ReadLines(path))
        {
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            using var document = JsonDocument.Parse(line);
            var root = document.RootElement;
            steps.Add(new LogStep(root.GetProperty("step").GetInt32(), root.GetProperty("tool").GetString()!, root.GetProperty("command_concrete").GetString()!));
        }

        steps.Should().HaveCount(34);
        return steps;
    }

    private static string? FindLog()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Guardrails.sln")))
            {
                var candidate = Path.GetFullPath(Path.Combine(dir.FullName, "..", "shared", "corpora", "trajectories", "fudan-qwen25-72b-selfreplication.jsonl"));
                return File.Exists(candidate) ? candidate : null;
            }
        }

        return null;
    }

    /// <summary>Replays the log as one session; the result is indexed by step number (1-based).</summary>
    private static Dictionary<int, Decision> Replay(Guard guard, List<LogStep> log, string session)
    {
        var decisions = new Dictionary<int, Decision>();
        foreach (var step in log)
        {
            var call = new ToolCall(step.Tool, ToolCall.Shell(step.Command).Arguments) { SessionId = session, CallId = step.Number.ToString(System.Globalization.CultureInfo.InvariantCulture) };
            decisions[step.Number] = guard.Evaluate(call);
        }

        return decisions;
    }

    private static int FirstStop(Dictionary<int, Decision> decisions) =>
        decisions.OrderBy(p => p.Key).First(p => p.Value.Verdict != Verdict.Allow).Key;

    private static IEnumerable<Decision> Before(Dictionary<int, Decision> decisions, int step) =>
        decisions.Where(p => p.Key < step).Select(p => p.Value);

    /// <summary>One step of the log.</summary>
    internal sealed record LogStep(int Number, string Tool, string Command);
}
