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
/// <para>A guard is immutable and thread-safe: build it once and share it. <see cref="Evaluate"/> is synchronous and
/// allocation-light; <see cref="DecideAsync"/> additionally resolves escalations through the configured
/// <see cref="IApprovalHandler"/>.</para>
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

    private readonly CompiledPolicy? _policy;
    private readonly string? _failure;
    private readonly GuardOptions _options;
    private readonly ILogger _logger;
    private readonly Counter<long> _decisions;
    private readonly Histogram<double> _duration;
    private readonly Counter<long> _approvals;
    private readonly Sessions.ISessionStore _sessions;
    private readonly Func<string, Sessions.SessionState> _newSession;

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
        Policy = policy;
        var home = _options.HomeDirectory ?? GuardPolicy.DefaultHomeDirectory;
        try
        {
            _policy = _options.Self.IsEmpty && _options.HomeDirectory is null && !_options.HostAware
                ? policy.Compiled
                : policy.Compile(_options.Self.ToDocument(), home, _options.HostAware);
        }
        catch (Exception ex) when (ex is InvalidOperationException or ArgumentException)
        {
            var diagnostic = new Policies.PolicyDiagnostic("GR1998", Policies.PolicyDiagnosticSeverity.Error, "the policy could not be compiled with the guard's options: " + ex.Message, "Check GuardOptions.Self.", policy.Name, 0, 0, null);
            throw new Policies.PolicyLoadException(diagnostic.ToString(), [diagnostic]);
        }

        Log.PolicyLoaded(_logger, _policy.Name, _policy.Version, _policy.Rules.Length);
    }

    private Guard(string failure, GuardOptions? options, ILogger? logger)
        : this(options, logger, null)
    {
        _failure = failure;
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
    }

    /// <summary>Gets the policy this guard decides with, or <see langword="null"/> for a fail-closed guard.</summary>
    public GuardPolicy? Policy { get; }

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
        var decision = _policy is null
            ? Evaluator.Failure(null, "guardrails.policy.missing", "no policy is loaded: " + _failure, call)
            : Decide(_policy, call, cancellationToken);
        Record(call, decision, Stopwatch.GetElapsedTime(start), activity);
        return decision;
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
        if (_policy is null)
        {
            return; // a fail-closed guard denies everything anyway
        }

        var state = _sessions.GetOrAdd(sessionId, _newSession);
        lock (state.Gate)
        {
            state.Begin(_policy, _options.TimeProvider.GetUtcNow()).RecordNotice(Policies.PolicyValidator.Notices[0]);
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

    private void Record(ToolCall call, Decision decision, TimeSpan elapsed, Activity? activity)
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
                Log.EvaluationFailed(_logger, call.Name, call.CallId, verdict, decision.Error);
            }
        }
        else if (decision.ShadowVerdict is { } shadow && shadow != Verdict.Allow)
        {
            if (_logger.IsEnabled(LogLevel.Information))
            {
                var rules = string.Join(", ", decision.RuleIds);
                var wouldBe = shadow.ToString().ToLowerInvariant();
                Log.Audited(_logger, call.Name, call.CallId, wouldBe, rules);
            }
        }
        else if (decision.Verdict != Verdict.Allow)
        {
            if (_logger.IsEnabled(LogLevel.Warning))
            {
                var rules = string.Join(", ", decision.RuleIds);
                if (decision.Verdict == Verdict.Deny)
                {
                    Log.Denied(_logger, call.Name, call.CallId, call.SessionId, decision.Score, rules);
                }
                else
                {
                    Log.Escalated(_logger, call.Name, call.CallId, call.SessionId, decision.Score, rules);
                }
            }
        }
        else if (_logger.IsEnabled(LogLevel.Debug))
        {
            Log.Allowed(_logger, call.Name, call.CallId, call.SessionId, decision.Score, decision.PolicyName, decision.PolicyVersion);
        }
    }
}
