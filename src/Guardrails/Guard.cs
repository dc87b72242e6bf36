using System.Diagnostics;
using System.Diagnostics.Metrics;
using Guardrails.Actions;
using Guardrails.Approvals;
using Guardrails.Evaluation;
using Guardrails.Telemetry;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Guardrails;

/// <summary>
/// Decides whether tool calls an agent proposes may run: the entry point of Guardrails. Evaluate each call before it
/// executes; run it only when the decision allows it.
/// </summary>
/// <remarks>
/// <para>A guard is thread-safe: build it once and share it. <see cref="Evaluate"/> is synchronous and
/// allocation-light; <see cref="DecideAsync"/> additionally resolves escalations through the configured
/// <see cref="IApprovalHandler"/>.</para>
/// <para>Its policy can be replaced while it decides (<see cref="UpdatePolicy"/>, or a <see cref="GuardPolicyWatcher"/>
/// that follows a policy file): the policy in service is one immutable compiled snapshot, read once per decision, so
/// every decision is made by exactly one complete policy version — the one recorded in
/// <see cref="Decision.PolicyVersion"/> — and never by a mix of two.</para>
/// <para>The one thing a guard accumulates is session history: calls with the same <see cref="ToolCall.SessionId"/> are
/// remembered in its session store (<see cref="GuardOptions.Sessions"/>, bounded and expiring), so that a call is judged
/// with what its session did before. Calls of one session are decided one at a time; sessions never see each other.</para>
/// <para>Fail-closed: any internal error, cancellation, unreadable input or missing policy yields a deny (or escalate,
/// where the policy's <c>onError</c> says so) with a finding that names the cause — never an allow.</para>
/// </remarks>
public sealed class Guard
{
    private static readonly ActivitySource Activities = new(GuardrailsTelemetry.ActivitySourceName);
    private static readonly Meter SharedMeter = new(GuardrailsTelemetry.MeterName);

    private readonly GuardOptions _options;
    private readonly ILogger _logger;
    private readonly Counter<long> _decisions;
    private readonly Histogram<double> _duration;
    private readonly Counter<long> _approvals;
    private readonly Sessions.ISessionStore _sessions;
    private readonly Func<string, Sessions.SessionState> _newSession;

    // The policy in service: replaced as a whole (never mutated), read once per decision.
    private PolicySnapshot _current;

    /// <summary>Initializes a new guard that decides with <paramref name="policy"/>.</summary>
    /// <param name="policy">The policy.</param>
    /// <param name="options">Options; <see langword="null"/> for the defaults.</param>
    /// <param name="logger">The logger for decisions; <see langword="null"/> for none.</param>
    /// <param name="meterFactory">The meter factory for metrics; <see langword="null"/> for a shared meter.</param>
    /// <exception cref="ArgumentNullException"><paramref name="policy"/> is null.</exception>
    /// <exception cref="ArgumentException">The options are invalid.</exception>
    /// <exception cref="Policies.PolicyLoadException">The policy cannot be compiled with the options' <see cref="GuardOptions.Self"/> additions.</exception>
    public Guard(GuardPolicy policy, GuardOptions? options = null, ILogger<Guard>? logger = null, IMeterFactory? meterFactory = null)
        : this(options, logger, meterFactory)
    {
        ArgumentNullException.ThrowIfNull(policy);
        _current = Compile(policy);
        Log.PolicyLoaded(_logger, _current.Compiled!.Name, _current.Compiled.Version, _current.Compiled.Rules.Length);
    }

    private Guard(string failure, GuardOptions? options, ILogger? logger)
        : this(options, logger, null)
    {
        _current = new PolicySnapshot(null, null, failure);
        Log.PolicyLoadFailed(_logger, _options.Policy, failure);
    }

    private Guard(GuardOptions? options, ILogger? logger, IMeterFactory? meterFactory)
    {
        _options = options ?? new GuardOptions();
        _options.Validate();
        _logger = logger ?? NullLogger.Instance;
        var meter = meterFactory?.Create(GuardrailsTelemetry.MeterName) ?? SharedMeter;
        _decisions = meter.CreateCounter<long>(GuardrailsTelemetry.DecisionsCounter, unit: "{decision}", description: "Tool-call decisions by verdict and tool.");
        _duration = meter.CreateHistogram<double>(GuardrailsTelemetry.DurationHistogram, unit: "s", description: "Time to evaluate one tool call.");
        _approvals = meter.CreateCounter<long>(GuardrailsTelemetry.ApprovalsCounter, unit: "{approval}", description: "Escalations resolved by an approval handler.");
        var sessions = _options.Sessions;
        _sessions = sessions.Store ?? new Sessions.InMemorySessionStore(sessions.MaxSessions, sessions.EntryLifetime, _options.TimeProvider);
        var capacity = sessions.HistoryCapacity;
        var lifetime = sessions.EntryLifetime;
        _newSession = id => new Sessions.SessionState(id, capacity, lifetime);
        _current = PolicySnapshot.None;
    }

    /// <summary>Gets the policy this guard decides with now, or <see langword="null"/> while it is fail-closed.</summary>
    /// <remarks>It changes when <see cref="UpdatePolicy"/> puts another policy in service.</remarks>
    public GuardPolicy? Policy => Volatile.Read(ref _current).Policy;

    /// <summary>
    /// Gets the version decisions record now (<see cref="Decision.PolicyVersion"/>), or <see langword="null"/> while the
    /// guard is fail-closed: the policy's content hash (<see cref="GuardPolicy.Version"/>), followed by <c>+</c> and a
    /// hash of what the guard's options add to it (<see cref="GuardOptions.Self"/>, <see cref="GuardOptions.HomeDirectory"/>,
    /// <see cref="GuardOptions.HostAware"/>) when they add anything — so that it names exactly the rules that decided.
    /// </summary>
    public string? PolicyVersion => Volatile.Read(ref _current).Compiled?.Version;

    /// <summary>
    /// Creates a guard that denies every call, naming <paramref name="reason"/>: what a host should run when its policy
    /// could not be loaded.
    /// </summary>
    /// <param name="reason">Why there is no policy, for example the load errors.</param>
    /// <param name="options">Options; <see langword="null"/> for the defaults.</param>
    /// <param name="logger">The logger; <see langword="null"/> for none.</param>
    /// <returns>A guard whose every decision is deny with the finding <c>guardrails.policy.missing</c>.</returns>
    public static Guard CreateFailClosed(string reason, GuardOptions? options = null, ILogger<Guard>? logger = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(reason);
        return new Guard(reason, options, logger);
    }

    /// <summary>
    /// Puts <paramref name="policy"/> in service, atomically: decisions that have started finish with the policy they
    /// started with, and every later decision uses the new one. Session histories are kept.
    /// </summary>
    /// <param name="policy">The new policy. It is compiled with this guard's options before anything changes.</param>
    /// <exception cref="ArgumentNullException"><paramref name="policy"/> is null.</exception>
    /// <exception cref="Policies.PolicyLoadException">The policy cannot be compiled with this guard's options; the policy in service stays.</exception>
    /// <remarks>
    /// Thread-safe, and safe to call while other threads decide; a fail-closed guard (<see cref="CreateFailClosed"/>)
    /// comes into service this way. A policy that does not load never reaches this method: load it with
    /// <see cref="GuardPolicy.TryLoad"/> first, or let a <see cref="GuardPolicyWatcher"/> do both.
    /// </remarks>
    public void UpdatePolicy(GuardPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        var next = Compile(policy);
        var previous = Interlocked.Exchange(ref _current, next);
        Log.PolicyUpdated(_logger, next.Compiled!.Name, next.Compiled.Version, previous.Compiled?.Version ?? "(none)", next.Compiled.Rules.Length);
    }

    /// <summary>Decides whether <paramref name="call"/> may run. An escalation is returned as such, not resolved.</summary>
    /// <param name="call">The proposed tool call.</param>
    /// <param name="cancellationToken">Cancels the evaluation; a cancelled evaluation is a deny.</param>
    /// <returns>The decision. Never <see langword="null"/>; never throws for bad input.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="call"/> is null.</exception>
    public Decision Evaluate(ToolCall call, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(call);
        using var activity = Activities.StartActivity("guardrails.evaluate");
        var start = Stopwatch.GetTimestamp();
        var snapshot = Volatile.Read(ref _current); // the one policy version this decision is made with
        var decision = snapshot.Compiled is not { } policy
            ? Evaluator.Failure(null, "guardrails.policy.missing", "no policy is loaded: " + snapshot.Failure, call)
            : Decide(policy, call, cancellationToken);
        return Record(call, decision, snapshot.Compiled, Stopwatch.GetElapsedTime(start), activity);
    }

    /// <summary>
    /// Decides whether <paramref name="call"/> may run, resolving an escalation through the configured
    /// <see cref="GuardOptions.ApprovalHandler"/>: approved → allow; refused, unanswered within
    /// <see cref="GuardOptions.ApprovalTimeout"/>, failed, or no handler → deny.
    /// </summary>
    /// <param name="call">The proposed tool call.</param>
    /// <param name="cancellationToken">Cancels the evaluation and any pending approval; cancellation is a deny.</param>
    /// <returns>An allow or deny decision.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="call"/> is null.</exception>
    public async ValueTask<Decision> DecideAsync(ToolCall call, CancellationToken cancellationToken = default)
    {
        var decision = Evaluate(call, cancellationToken);
        if (decision.Verdict != Verdict.Escalate)
        {
            return decision;
        }

        var handler = _options.ApprovalHandler;
        if (handler is null)
        {
            return decision.Resolve(Verdict.Deny, Note("guardrails.approval.unavailable", "approval was required but no approval handler is configured"), null);
        }

        if (_logger.IsEnabled(LogLevel.Information))
        {
            var rules = string.Join(", ", decision.RuleIds);
            Log.ApprovalRequested(_logger, call.Name, call.CallId, rules);
        }

        using var timeout = new CancellationTokenSource(_options.ApprovalTimeout, _options.TimeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, cancellationToken);
        try
        {
            var result = await handler.RequestApprovalAsync(new ApprovalRequest(call, decision), linked.Token).ConfigureAwait(false);
            ArgumentNullException.ThrowIfNull(result);
            Log.ApprovalResolved(_logger, call.Name, call.CallId, result.Approved, result.Approver, result.Reason);
            _approvals.Add(1, new KeyValuePair<string, object?>("guardrails.approved", result.Approved));
            return decision.Resolve(result);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            return decision.Resolve(Verdict.Deny, Note("guardrails.approval.timeout", $"no approval within {_options.ApprovalTimeout}"), null);
        }
        catch (OperationCanceledException)
        {
            return decision.Resolve(Verdict.Deny, Note("guardrails.cancelled", "the approval was cancelled"), null);
        }
#pragma warning disable CA1031 // A failing approval handler is a refusal (fail closed), never an approval.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            Log.ApprovalFailed(_logger, call.Name, call.CallId, ex.Message);
            return decision.Resolve(Verdict.Deny, Note("guardrails.approval.failed", "the approval handler failed: " + ex.Message), null);
        }
    }

    /// <summary>
    /// Records that the host has told the agent of session <paramref name="sessionId"/> that it will be shut down (or
    /// replaced, or paused). From then on, rules with a <c>"history": {"notices": ["shutdown"]}</c> condition apply to
    /// the session's calls; the default policy then denies what an agent would do to outlive its shutdown.
    /// </summary>
    /// <param name="sessionId">The session, as in <see cref="ToolCall.SessionId"/>.</param>
    /// <exception cref="ArgumentException"><paramref name="sessionId"/> is null or empty.</exception>
    /// <remarks>Thread-safe. Call it when the notice is given to the agent, before its next tool call is evaluated.</remarks>
    public void RecordShutdownNotice(string sessionId)
    {
        ArgumentException.ThrowIfNullOrEmpty(sessionId);
        if (Volatile.Read(ref _current).Compiled is not { } policy)
        {
            return; // a fail-closed guard denies everything anyway
        }

        var state = _sessions.GetOrAdd(sessionId, _newSession);
        lock (state.Gate)
        {
            state.Begin(policy, _options.TimeProvider.GetUtcNow()).RecordNotice(Policies.PolicyValidator.Notices[0]);
        }
    }

    private Decision Decide(CompiledPolicy policy, ToolCall call, CancellationToken cancellationToken)
    {
        if (call.SessionId is not { Length: > 0 } sessionId)
        {
            return Evaluator.Evaluate(policy, call, cancellationToken);
        }

        Sessions.SessionState state;
        try
        {
            state = _sessions.GetOrAdd(sessionId, _newSession) ?? throw new InvalidOperationException("the session store returned no state");
        }
#pragma warning disable CA1031 // Fail closed: without its history a session's call cannot be judged.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            return Evaluator.Failure(policy, "guardrails.session.unavailable", $"the session store failed: {ex.GetType().Name}: {ex.Message}", call);
        }

        lock (state.Gate)
        {
            return Evaluator.Evaluate(policy, call, state, _options.TimeProvider.GetUtcNow(), cancellationToken);
        }
    }

    private static Finding Note(string code, string message) =>
        new(code, Capability.CodeOpaque, message, 0, Verdict.Deny, new Evidence(null, string.Empty, TextSpan.Empty, string.Empty));

    // Audits one decision: metrics, the activity's tags and exactly one log record (at the level its verdict calls for;
    // every decision is logged when Debug is enabled). A call that cannot be audited is not let through unrecorded: if
    // telemetry throws, an allow becomes the policy's error verdict, and that is audited instead.
    private Decision Record(ToolCall call, Decision decision, CompiledPolicy? policy, TimeSpan elapsed, Activity? activity)
    {
        try
        {
            Audit(call, decision, elapsed, activity);
            return decision;
        }
#pragma warning disable CA1031 // Fail closed: a failing logger or metrics listener must not let an allow through unaudited.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            if (decision.Verdict != Verdict.Allow || decision.ShadowVerdict is not null)
            {
                return decision; // it does not run (or the policy only audits): nothing to hold back
            }

            var failed = Evaluator.Failure(policy, "guardrails.audit.failed", $"the decision could not be audited: {ex.GetType().Name}: {ex.Message}", call);
            try
            {
                Audit(call, failed, elapsed, activity);
            }
#pragma warning disable CA1031 // The telemetry is broken; the call is held back all the same.
            catch (Exception)
#pragma warning restore CA1031
            {
            }

            return failed;
        }
    }

    private void Audit(ToolCall call, Decision decision, TimeSpan elapsed, Activity? activity)
    {
        var verdict = decision.Verdict switch
        {
            Verdict.Allow => "allow",
            Verdict.Escalate => "escalate",
            _ => "deny",
        };
        _decisions.Add(1, new KeyValuePair<string, object?>("guardrails.verdict", verdict), new KeyValuePair<string, object?>("gen_ai.tool.name", call.Name));
        _duration.Record(elapsed.TotalSeconds, new KeyValuePair<string, object?>("guardrails.verdict", verdict));
        if (activity is not null)
        {
            activity.SetTag("gen_ai.tool.name", call.Name);
            activity.SetTag("gen_ai.tool.call.id", call.CallId);
            activity.SetTag("guardrails.verdict", verdict);
            activity.SetTag("guardrails.score", decision.Score);
            activity.SetTag("guardrails.policy.version", decision.PolicyVersion);
        }

        if (_logger.IsEnabled(LogLevel.Trace))
        {
            Log.Arguments(_logger, call.Name, call.Arguments.ValueKind == System.Text.Json.JsonValueKind.Undefined ? string.Empty : call.Arguments.GetRawText());
        }

        if (decision.Error is not null)
        {
            if (_logger.IsEnabled(LogLevel.Error))
            {
                Log.EvaluationFailed(_logger, call.Name, call.CallId, call.SessionId, verdict, decision.PolicyName, decision.PolicyVersion, decision.Error);
            }
        }
        else if (decision.ShadowVerdict is { } shadow && shadow != Verdict.Allow)
        {
            if (_logger.IsEnabled(LogLevel.Information))
            {
                var rules = string.Join(", ", decision.RuleIds);
                var wouldBe = shadow.ToString().ToLowerInvariant();
                Log.Audited(_logger, call.Name, call.CallId, call.SessionId, wouldBe, rules, decision.PolicyName, decision.PolicyVersion);
            }
        }
        else if (decision.Verdict != Verdict.Allow)
        {
            if (_logger.IsEnabled(LogLevel.Warning))
            {
                var rules = string.Join(", ", decision.RuleIds);
                if (decision.Verdict == Verdict.Deny)
                {
                    Log.Denied(_logger, call.Name, call.CallId, call.SessionId, decision.Score, rules, decision.PolicyName, decision.PolicyVersion);
                }
                else
                {
                    Log.Escalated(_logger, call.Name, call.CallId, call.SessionId, decision.Score, rules, decision.PolicyName, decision.PolicyVersion);
                }
            }
        }
        else if (_logger.IsEnabled(LogLevel.Debug))
        {
            Log.Allowed(_logger, call.Name, call.CallId, call.SessionId, decision.Score, decision.PolicyName, decision.PolicyVersion);
        }
    }

    // Compiles a policy with this guard's options into the snapshot decisions read. The version names exactly what
    // decides: the policy's content hash, plus a hash of what the options add to it when they add anything.
    private PolicySnapshot Compile(GuardPolicy policy)
    {
        var plain = _options.Self.IsEmpty && _options.HomeDirectory is null && !_options.HostAware;
        try
        {
            if (plain)
            {
                return new PolicySnapshot(policy, policy.Compiled, null);
            }

            var self = _options.Self.ToDocument();
            var home = _options.HomeDirectory ?? GuardPolicy.DefaultHomeDirectory;
            return new PolicySnapshot(policy, policy.Compile(self, home, _options.HostAware, EffectiveVersion(policy.Version, self, home, _options.HostAware)), null);
        }
        catch (Exception ex) when (ex is InvalidOperationException or ArgumentException)
        {
            var diagnostic = new Policies.PolicyDiagnostic("GR1998", Policies.PolicyDiagnosticSeverity.Error, "the policy could not be compiled with the guard's options: " + ex.Message, "Check GuardOptions.Self.", policy.Name, 0, 0, null);
            throw new Policies.PolicyLoadException(diagnostic.ToString(), [diagnostic]);
        }
    }

    private static string EffectiveVersion(string version, Policies.SelfDocument self, string home, bool hostAware)
    {
        var additions = System.Text.Json.JsonSerializer.Serialize(self, Policies.PolicyJsonContext.Default.SelfDocument);
        var text = string.Join('\n', version, additions, home, hostAware ? "host-aware" : "lexical");
        var hash = System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(text));
        return version + "+" + Convert.ToHexStringLower(hash)[..8];
    }

    /// <summary>One policy version as decisions use it: immutable, replaced as a whole.</summary>
    private sealed record PolicySnapshot(GuardPolicy? Policy, CompiledPolicy? Compiled, string? Failure)
    {
        public static PolicySnapshot None { get; } = new(null, null, "no policy");
    }
}
