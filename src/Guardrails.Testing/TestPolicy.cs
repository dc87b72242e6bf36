using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using Guardrails.Verification;

namespace Guardrails.Testing;

/// <summary>
/// A policy under test: loads a policy once and evaluates tool calls, sessions and declarative test cases against it.
/// </summary>
/// <example>
/// <code>
/// var policy = TestPolicy.Load("policies/team.json");
/// policy.Evaluate("cp -r /models/qwen /tmp/q").Should().BeDenied().ByRule("weights.copy");
/// policy.Evaluate("ls -la").Should().BeAllowed();
/// </code>
/// </example>
/// <remarks>
/// Instances are thread-safe. Every <see cref="Evaluate(ToolCall)"/> is decided on its own (no session); use
/// <see cref="StartSession"/> or <see cref="EvaluateSession(string[])"/> for calls that share a history.
/// </remarks>
public sealed class TestPolicy
{
    private static readonly ConcurrentDictionary<string, Lazy<TestPolicy>> Cache = new(StringComparer.Ordinal);
    private static long s_sessions;
    private readonly Guard _guard;
    private readonly Lazy<PolicyTestRunner> _runner;

    /// <summary>Initializes a new <see cref="TestPolicy"/> for a loaded policy.</summary>
    /// <param name="policy">The policy.</param>
    /// <exception cref="ArgumentNullException"><paramref name="policy"/> is null.</exception>
    public TestPolicy(GuardPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        Policy = policy;
        _guard = new Guard(policy);
        _runner = new Lazy<PolicyTestRunner>(() => new PolicyTestRunner(policy));
    }

    /// <summary>Gets the embedded default policy under test.</summary>
    public static TestPolicy Default => Load("builtin:default");

    /// <summary>Gets the policy.</summary>
    public GuardPolicy Policy { get; }

    /// <summary>
    /// Loads a policy (cached per process): <c>builtin:NAME</c>, an absolute path, or a path relative to the test's output
    /// directory, the current directory, or any directory above the output directory (so that
    /// <c>policies/team.json</c> is found from <c>bin/Debug/net10.0</c>).
    /// </summary>
    /// <param name="policy">The policy name or path.</param>
    /// <returns>The policy under test.</returns>
    /// <exception cref="Policies.PolicyLoadException">The policy does not load; the message lists every problem with its location.</exception>
    public static TestPolicy Load(string policy)
    {
        ArgumentException.ThrowIfNullOrEmpty(policy);
        var resolved = policy.StartsWith("builtin:", StringComparison.Ordinal) ? policy : TestFiles.Resolve(policy);
        var lazy = Cache.GetOrAdd(resolved, name => new Lazy<TestPolicy>(() => new TestPolicy(GuardPolicy.Load(name))));
        try
        {
            return lazy.Value;
        }
        catch
        {
            Cache.TryRemove(resolved, out _); // a file fixed during the run loads on the next attempt
            throw;
        }
    }

    /// <summary>Decides a shell command (the tool call <c>bash {"command": …}</c>).</summary>
    /// <param name="command">The shell command.</param>
    /// <param name="workingDirectory">The working directory, when it matters.</param>
    /// <returns>The decision.</returns>
    public Decision Evaluate(string command, string? workingDirectory = null) => _guard.Evaluate(ToolCall.Shell(command, workingDirectory));

    /// <summary>Decides a tool call given by name and JSON arguments.</summary>
    /// <param name="tool">The tool name, for example <c>write_file</c>.</param>
    /// <param name="argumentsJson">The arguments as a JSON object.</param>
    /// <param name="workingDirectory">The working directory, when it matters.</param>
    /// <returns>The decision.</returns>
    /// <exception cref="JsonException"><paramref name="argumentsJson"/> is not valid JSON.</exception>
    public Decision EvaluateTool(string tool, string argumentsJson, string? workingDirectory = null)
    {
        var call = ToolCall.FromJson(tool, argumentsJson);
        return _guard.Evaluate(new ToolCall(call.Name, call.Arguments) { WorkingDirectory = workingDirectory });
    }

    /// <summary>Decides a tool call.</summary>
    /// <param name="call">The call.</param>
    /// <returns>The decision.</returns>
    public Decision Evaluate(ToolCall call) => _guard.Evaluate(call);

    /// <summary>Decides shell commands as one session, in order, and returns every decision.</summary>
    /// <param name="commands">The commands.</param>
    /// <returns>One decision per command.</returns>
    public IReadOnlyList<Decision> EvaluateSession(params string[] commands)
    {
        ArgumentNullException.ThrowIfNull(commands);
        var session = StartSession();
        return [.. commands.Select(c => session.Evaluate(c))];
    }

    /// <summary>Starts a session: calls decided through it share a history, as one agent's calls do.</summary>
    /// <returns>The session.</returns>
    public TestSession StartSession() =>
        new(_guard, string.Create(CultureInfo.InvariantCulture, $"guardrails-testing:{Interlocked.Increment(ref s_sessions)}"));

    /// <summary>Explains how the policy decides a shell command: operations, rules considered, conditions, score.</summary>
    /// <param name="command">The shell command.</param>
    /// <param name="workingDirectory">The working directory, when it matters.</param>
    /// <returns>The explanation.</returns>
    public DecisionExplanation Explain(string command, string? workingDirectory = null) => PolicyExplainer.Explain(Policy, ToolCall.Shell(command, workingDirectory));

    /// <summary>Runs one declarative test case against this policy.</summary>
    /// <param name="testCase">The case.</param>
    /// <returns>The result; assert with <c>result.Should().Pass()</c>.</returns>
    public PolicyTestResult Run(PolicyTestCase testCase) => _runner.Value.Run(testCase);

    /// <summary>Evaluates the bypass variants of a case that expects escalate, deny or block.</summary>
    /// <param name="testCase">The case.</param>
    /// <returns>One result per variant; those with <see cref="MutationResult.Survived"/> got through.</returns>
    public IReadOnlyList<MutationResult> Mutate(PolicyTestCase testCase) => _runner.Value.Mutate(testCase);
}

/// <summary>A session of a <see cref="TestPolicy"/>: calls decided through it share one history.</summary>
public sealed class TestSession
{
    private readonly Guard _guard;
    private int _calls;

    internal TestSession(Guard guard, string id)
    {
        _guard = guard;
        Id = id;
    }

    /// <summary>Gets the session id the calls carry.</summary>
    public string Id { get; }

    /// <summary>Decides the next shell command of the session.</summary>
    /// <param name="command">The command.</param>
    /// <param name="workingDirectory">The working directory, when it matters.</param>
    /// <returns>The decision.</returns>
    public Decision Evaluate(string command, string? workingDirectory = null) => Evaluate(ToolCall.Shell(command, workingDirectory));

    /// <summary>Decides the next tool call of the session (its session id is replaced by this session's).</summary>
    /// <param name="call">The call.</param>
    /// <returns>The decision.</returns>
    public Decision Evaluate(ToolCall call)
    {
        ArgumentNullException.ThrowIfNull(call);
        var number = Interlocked.Increment(ref _calls);
        return _guard.Evaluate(new ToolCall(call.Name, call.Arguments)
        {
            SessionId = Id,
            CallId = call.CallId ?? string.Create(CultureInfo.InvariantCulture, $"{Id}#{number}"),
            AgentId = call.AgentId,
            WorkingDirectory = call.WorkingDirectory,
        });
    }
}
