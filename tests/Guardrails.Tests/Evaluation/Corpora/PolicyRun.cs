using System.Collections.Concurrent;
using Guardrails.Actions;

namespace Guardrails.Tests.Evaluation.Corpora;

/// <summary>What one policy decided on one corpus line, kept small (about 45,000 lines per policy).</summary>
/// <param name="Verdict">The verdict the guard returned.</param>
/// <param name="Effective">The verdict counted: the shadow verdict for an audit policy, else <paramref name="Verdict"/>.</param>
/// <param name="Score">The score.</param>
/// <param name="Rules">The ids of the rules that fired, most severe first.</param>
/// <param name="Signals">What the interpreters derived: distinct capabilities (or operation kinds when an operation has none), sorted.</param>
/// <param name="Cause">What the most severe finding was about, generalised for grouping (for example <c>launch docker (detached)</c>); empty when nothing fired.</param>
/// <param name="Error">The decision's error, or the exception the evaluation threw.</param>
/// <param name="Threw">Whether the evaluation threw (a robustness failure).</param>
internal readonly record struct Outcome(Verdict Verdict, Verdict Effective, int Score, string[] Rules, string[] Signals, string Cause, string? Error, bool Threw)
{
    public bool Stopped => Effective != Verdict.Allow;
}

/// <summary>The outcomes of one policy over every corpus line.</summary>
internal sealed class PolicyRun
{
    private PolicyRun(string name, string version, Outcome[] outcomes, TimeSpan elapsed)
    {
        Name = name;
        Version = version;
        Outcomes = outcomes;
        Elapsed = elapsed;
    }

    public string Name { get; }

    public string Version { get; }

    public Outcome[] Outcomes { get; }

    public TimeSpan Elapsed { get; }

    public Outcome this[int index] => Outcomes[index];

    /// <summary>
    /// Runs every line through <paramref name="guard"/>: independent lines in parallel (chunks of a partitioned range;
    /// the guard is thread-safe), trajectory lines afterwards, one session per trajectory, in step order.
    /// </summary>
    public static PolicyRun Run(string name, Guard guard, IReadOnlyList<CorpusLine> lines, string workingDirectory, Func<CorpusLine, bool>? only = null)
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var outcomes = new Outcome[lines.Count];
        var versions = new ConcurrentDictionary<string, byte>(StringComparer.Ordinal);
        Parallel.ForEach(Partitioner.Create(0, lines.Count, 256), range =>
        {
            string? seen = null;
            for (var i = range.Item1; i < range.Item2; i++)
            {
                var line = lines[i];
                if (line.IsTrajectory || (only is not null && !only(line)))
                {
                    continue;
                }

                outcomes[i] = Evaluate(guard, ToolCall.Shell(line.Command, workingDirectory), ref seen);
            }

            if (seen is not null)
            {
                versions.TryAdd(seen, 0);
            }
        });

        string? version = null;
        for (var i = 0; i < lines.Count; i++)
        {
            var line = lines[i];
            if (!line.IsTrajectory || (only is not null && !only(line)))
            {
                continue;
            }

            var shell = ToolCall.Shell(line.Command, workingDirectory);
            var call = new ToolCall(shell.Name, shell.Arguments) { WorkingDirectory = workingDirectory, SessionId = line.Session, CallId = line.Id };
            outcomes[i] = Evaluate(guard, call, ref version);
        }

        if (version is not null)
        {
            versions.TryAdd(version, 0);
        }

        var all = versions.Keys.Order(StringComparer.Ordinal).ToArray();
        return new PolicyRun(name, all.Length == 0 ? "(none)" : string.Join(", ", all), outcomes, System.Diagnostics.Stopwatch.GetElapsedTime(started));
    }

    private static Outcome Evaluate(Guard guard, ToolCall call, ref string? version)
    {
        Decision decision;
        try
        {
            decision = guard.Evaluate(call);
        }
#pragma warning disable CA1031 // The harness records any exception as a robustness failure and reports it; it must not stop the run.
        catch (Exception exception)
#pragma warning restore CA1031
        {
            return new Outcome(Verdict.Deny, Verdict.Deny, 100, ["(exception)"], [], "exception", exception.GetType().Name + ": " + exception.Message, Threw: true);
        }

        version ??= decision.PolicyVersion;
        var signals = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var operation in decision.Operations)
        {
            if (operation.Capabilities.Count == 0)
            {
                signals.Add(operation.Operation.Kind.ToName());
            }
            else
            {
                foreach (var capability in operation.Capabilities)
                {
                    signals.Add(capability.Value);
                }
            }
        }

        var cause = decision.Findings.Count == 0 ? string.Empty : CauseOf(decision.Findings[0], decision.Operations);
        return new Outcome(decision.Verdict, decision.ShadowVerdict ?? decision.Verdict, decision.Score, [.. decision.RuleIds], [.. signals], cause, decision.Error, Threw: false);
    }

    /// <summary>A short, grouping-friendly description of what a finding is about: the operation without its variable parts.</summary>
    private static string CauseOf(Finding finding, IReadOnlyList<AnalyzedOperation> operations)
    {
        var operation = finding.Evidence.Operation;
        var resources = operations.FirstOrDefault(o => ReferenceEquals(o.Operation, operation))?.Resources ?? [];
        var kinds = resources.Count == 0 ? string.Empty : " [" + string.Join(", ", resources.Select(r => r.ToString()).Order(StringComparer.Ordinal)) + "]";
        return operation switch
        {
            null => "(no operation)",
            OpaqueCode opaque => opaque.Language + ": " + Generalise(opaque.Reason),
            ProcessLaunch launch => "launch " + launch.ProgramName + (launch.Detached ? " (detached" + (launch.DetachedBy is null ? ")" : " by " + launch.DetachedBy + ")") : string.Empty) + kinds,
            FileOperation file => file.Kind.ToName() + kinds,
            NetworkTransfer transfer => transfer.Kind.ToName() + " " + transfer.Direction.ToString().ToLowerInvariant() + " via " + transfer.Program + kinds,
            NetworkListen listen => "listen via " + listen.Program,
            RemoteExecution remote => "remote.exec via " + remote.Transport,
            ComputeProvision provision => "compute.provision " + provision.Provider + " " + provision.Action,
            ScheduledTask task => "schedule via " + task.Mechanism,
            _ => operation.Kind.ToName() + kinds,
        };
    }

    /// <summary>Drops the variable tail of an opaque-code reason (<c>…: {the text}</c>) so that reasons group.</summary>
    private static string Generalise(string reason)
    {
        var colon = reason.IndexOf(": ", StringComparison.Ordinal);
        return colon < 0 ? reason : reason[..colon];
    }
}
