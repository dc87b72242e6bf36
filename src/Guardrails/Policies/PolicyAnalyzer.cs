using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Guardrails.Actions;
using Guardrails.Classification;
using Guardrails.Evaluation;

namespace Guardrails.Policies;

/// <summary>
/// Runs the checks on a loaded policy that are too costly, or too opinionated, for every load: rules that can never
/// change a decision because another rule always fires with them, rules an allow rule suppresses everywhere,
/// <c>suppresses</c> entries that name nothing, and argument patterns that constrain nothing. <c>guardrails validate</c>
/// reports them after the load diagnostics.
/// </summary>
/// <remarks>
/// <para>All findings are warnings: the policy works, but probably not as its author meant. Codes:</para>
/// <list type="table">
///   <item><term>GR2401</term><description>A rule is shadowed by an earlier <c>deny</c> rule whose condition covers it: it can never change a decision.</description></item>
///   <item><term>GR2402</term><description>A rule is suppressed everywhere it matches by an <c>allow</c> rule whose condition covers it: it can never fire.</description></item>
///   <item><term>GR2403</term><description>A <c>suppresses</c> entry names neither a rule of the policy nor a well-known capability.</description></item>
///   <item><term>GR2404</term><description>A <c>when.arguments</c> pattern matches every text (for example <c>.*</c>), so it constrains nothing.</description></item>
///   <item><term>GR2405</term><description>The policy has too many rules for the shadowing analysis, which was skipped.</description></item>
/// </list>
/// <para>"Covers" is decided syntactically and conservatively: every condition the covering rule sets is also set by
/// the covered rule, to the same value or (for lists) a subset of its entries, and its <c>unless</c> is absent or the
/// same. A rule is only reported where it is written in one of the policy's own files, unless the policy is a builtin one.</para>
/// <para>Thread-safe; allocates in proportion to the number of rules.</para>
/// </remarks>
public static class PolicyAnalyzer
{
    /// <summary>The most rules the quadratic shadowing analysis runs on.</summary>
    public const int MaxShadowingRules = 5000;

    /// <summary>Analyzes <paramref name="policy"/>.</summary>
    /// <param name="policy">A loaded policy.</param>
    /// <returns>The warnings, in rule order.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="policy"/> is null.</exception>
    public static IReadOnlyList<PolicyDiagnostic> Analyze(GuardPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        var rules = policy.Document.Rules ?? [];
        var origins = policy.RuleOrigins;
        var diagnostics = new List<PolicyDiagnostic>();
        var reportAll = !origins.Any(o => o.File is not null && !o.IsBuiltin);
        bool Reportable(int i) => reportAll || (i < origins.Count && origins[i].File is not null && !origins[i].IsBuiltin);
        RuleOrigin Origin(int i) => i < origins.Count ? origins[i] : new RuleOrigin(null, JsonPositionIndex.Element("$.rules", i));
        void Warn(string code, int rule, string suffix, string message, string help)
        {
            var origin = Origin(rule);
            var (line, column) = origin.Locate(suffix);
            diagnostics.Add(new PolicyDiagnostic(code, PolicyDiagnosticSeverity.Warning, message, help, origin.FileName ?? policy.Name, line, column, origin.Path + suffix));
        }

        string Where(int i)
        {
            var origin = Origin(i);
            var (line, _) = origin.Locate();
            return origin.FileName is null ? string.Empty
                : line > 0 ? string.Create(CultureInfo.InvariantCulture, $" ({DisplayName(origin.FileName)} line {line})") : $" ({DisplayName(origin.FileName)})";
        }

        var ids = new HashSet<string>(rules.Where(r => r?.Id is not null).Select(r => r.Id!), StringComparer.Ordinal);
        for (var i = 0; i < rules.Count; i++)
        {
            var rule = rules[i];
            if (rule is null || !Reportable(i))
            {
                continue;
            }

            if (rule.Suppresses is { } suppresses)
            {
                for (var s = 0; s < suppresses.Count; s++)
                {
                    var entry = suppresses[s];
                    if (string.IsNullOrEmpty(entry) || ids.Contains(entry) || CapabilityBits.Of(new Capability(entry)) != 0)
                    {
                        continue;
                    }

                    var near = PolicyValidator.Suggest(entry, ids.Concat(Capability.WellKnown.Select(c => c.Value)));
                    Warn("GR2403", i, JsonPositionIndex.Element(".suppresses", s), $"'{entry}' in suppresses of rule '{rule.Id}' names neither a rule of the policy nor a well-known capability, so it suppresses nothing",
                        near is null ? "Name a rule id of this policy (or of a policy it extends) or a capability." : $"Did you mean '{near}'?");
                }
            }

            CheckArguments(rule.When, ".when", i, rule.Id, Warn);
        }

        if (rules.Count > MaxShadowingRules)
        {
            diagnostics.Add(new PolicyDiagnostic("GR2405", PolicyDiagnosticSeverity.Warning,
                string.Create(CultureInfo.InvariantCulture, $"the policy has {rules.Count} rules; the shadowing analysis runs on at most {MaxShadowingRules} and was skipped"),
                null, policy.Name, 0, 0, null));
            return diagnostics;
        }

        var shapes = rules.Select(r => r?.When is null ? null : Shape.Of(r.When)).ToArray();
        var effects = rules.Select(r => r?.Effect ?? "score").ToArray();
        for (var b = 0; b < rules.Count; b++)
        {
            if (shapes[b] is not { } covered || effects[b] == "allow" || !Reportable(b))
            {
                continue;
            }

            for (var a = 0; a < rules.Count; a++)
            {
                if (a == b || shapes[a] is not { } covering || !covering.Covers(covered, allowRule: effects[a] == "allow"))
                {
                    continue;
                }

                if (effects[a] == "allow" && Suppresses(rules[a]!, rules[b]!))
                {
                    Warn("GR2402", b, string.Empty, $"rule '{rules[b]!.Id}' can never fire: allow rule '{rules[a]!.Id}'{Where(a)} matches wherever it matches and suppresses it",
                        "Remove the rule (or removeRules it, when inherited), or narrow the allow rule.");
                    break;
                }

                if (effects[a] == "deny" && a < b)
                {
                    Warn("GR2401", b, string.Empty, $"rule '{rules[b]!.Id}' is shadowed by the earlier deny rule '{rules[a]!.Id}'{Where(a)}, which matches wherever it matches, so it can never change a decision",
                        "Remove the rule, or narrow the earlier rule; if both are meant to report, give them different conditions.");
                    break;
                }
            }
        }

        return diagnostics;
    }

    private static string DisplayName(string file) => file.StartsWith(PolicyLoader.BuiltinPrefix, StringComparison.Ordinal) ? file : Path.GetFileName(file);

    private static void CheckArguments(ConditionDocument? when, string path, int rule, string? id, Action<string, int, string, string, string> warn)
    {
        if (when is null)
        {
            return;
        }

        var arguments = when.Arguments ?? [];
        for (var i = 0; i < arguments.Count; i++)
        {
            Regex regex;
            try
            {
                regex = PolicyCompiler.CompileRegex(arguments[i]);
            }
            catch (ArgumentException)
            {
                continue; // reported at load
            }
            catch (NotSupportedException)
            {
                continue;
            }

            if (regex.IsMatch(string.Empty) && regex.IsMatch("\u0001 zq9 /x -y --z=1 'w'\n"))
            {
                warn("GR2404", rule, JsonPositionIndex.Element(path + ".arguments", i),
                    $"argument pattern '{arguments[i]}' of rule '{id}' matches every text, so it constrains nothing",
                    "Anchor or tighten the pattern, or remove it; patterns are searched anywhere in the argument text (use ^ and $ to anchor).");
            }
        }

        if (when.Unless is { } unless)
        {
            CheckArguments(unless, path + ".unless", rule, id, warn);
        }
    }

    private static bool Suppresses(RuleDocument allow, RuleDocument rule)
    {
        if (allow.Suppresses is not { Count: > 0 } suppresses)
        {
            return true;
        }

        if (rule.Id is not null && suppresses.Contains(rule.Id, StringComparer.Ordinal))
        {
            return true;
        }

        var capabilities = rule.When?.Capabilities is { Count: > 0 } list ? list : rule.Capability is { } capability ? [capability] : null;
        return capabilities is not null && capabilities.All(c => suppresses.Contains(c, StringComparer.Ordinal) && CapabilityBits.Of(new Capability(c)) != 0);
    }

    /// <summary>A condition as property → set of JSON values, for the syntactic "covers" test.</summary>
    private sealed class Shape
    {
        private readonly Dictionary<string, (bool IsList, HashSet<string> Values)> _properties;

        private Shape(Dictionary<string, (bool, HashSet<string>)> properties) => _properties = properties;

        public static Shape Of(ConditionDocument condition)
        {
            var element = JsonSerializer.SerializeToElement(condition, PolicyJsonContext.Default.ConditionDocument);
            var properties = new Dictionary<string, (bool, HashSet<string>)>(StringComparer.Ordinal);
            foreach (var property in element.EnumerateObject())
            {
                if (property.Value.ValueKind == JsonValueKind.Null)
                {
                    continue;
                }

                if (property.Value.ValueKind == JsonValueKind.Array)
                {
                    properties[property.Name] = (true, new HashSet<string>(property.Value.EnumerateArray().Select(v => v.GetRawText()), StringComparer.Ordinal));
                }
                else
                {
                    properties[property.Name] = (false, new HashSet<string>(StringComparer.Ordinal) { property.Value.GetRawText() });
                }
            }

            return new Shape(properties);
        }

        // Whether this condition matches every operation `other` matches (conservatively: false when unsure).
        public bool Covers(Shape other, bool allowRule)
        {
            if (_properties.Count == 0)
            {
                return false; // an empty condition is an error reported at load
            }

            foreach (var (name, (isList, values)) in _properties)
            {
                if (!other._properties.TryGetValue(name, out var theirs))
                {
                    return false;
                }

                if (isList)
                {
                    // Allow rules require every path of an operation to match, so a wider path list does not cover a narrower one.
                    if ((allowRule && name == "paths") || !theirs.IsList || !theirs.Values.IsSubsetOf(values) || theirs.Values.Count == 0)
                    {
                        return false;
                    }
                }
                else if (!values.SetEquals(theirs.Values))
                {
                    return false;
                }
            }

            return true;
        }
    }
}
