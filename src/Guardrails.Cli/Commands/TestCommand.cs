using System.Globalization;
using Guardrails.Cli.Rendering;
using Guardrails.Policies;
using Guardrails.Verification;

namespace Guardrails.Cli.Commands;

/// <summary>
/// <c>guardrails test [PATH…]</c>: runs declarative policy tests (<c>*.guardrails-tests.json</c>), prints pass/fail per
/// case with the difference between expected and actual and the findings, rule coverage, and with <c>--mutate</c> every
/// bypass variant the policy lets through.
/// </summary>
internal static class TestCommand
{
    /// <summary>Gets the usage text.</summary>
    public static string Usage { get; } =
        $"""
        Usage: {CliApp.CommandName} test [PATH...] [--policy FILE|builtin:NAME] [--mutate] [--coverage own|all|none] [--verbose]

        Runs declarative policy tests: every *{PolicyTestSuite.FileSuffix} file found under each PATH
        (a file or a directory, searched recursively; default: the current directory). Each file names
        the policy it tests and lists cases: a shell command, a tool call or a session of calls, the
        expected verdict (allow, escalate, deny, or block = escalate or deny) and optionally rules that
        must or must not fire. See docs/testing-policies.md.

        Prints PASS or FAIL per case; for a failure, the expected and actual verdicts and the findings.
        Then rule coverage: the rules of each policy that no case exercised.

        Options:
          --policy FILE|builtin:NAME  Test this policy instead of the one each file names.
          --mutate                    Also generate the known evasion variants of every case that expects
                                      escalate, deny or block (chaining, wrappers, absolute paths, flag
                                      permutations, quoting, nesting, base64, scripts) and report every
                                      variant the policy lets through.
          --coverage own|all|none     Which rules coverage lists: those written in the policy's own files
                                      (default), all including inherited builtin rules, or none.
          --verbose                   Also show the findings of passing cases and every variant tried.
          -h, --help                  Show this help.

        Exit codes: 0 every case passed (and, with --mutate, no variant got through); 1 a case failed,
        a variant got through, or a test file or policy is invalid; 64 usage error; 66 no test file found.
        """;

    /// <summary>Runs the command.</summary>
    /// <param name="args">The arguments after <c>test</c>.</param>
    /// <param name="console">The console.</param>
    /// <returns>The exit code.</returns>
    public static int Run(ReadOnlySpan<string> args, CliConsole console)
    {
        if (!CommandLine.TryParse(args, ["--policy", "--coverage"], ["--mutate", "--verbose"], out var commandLine, out var problem))
        {
            return CliApp.UsageError(console, problem, Usage);
        }

        if (commandLine.HelpRequested)
        {
            console.Out.WriteLine(Usage);
            return ExitCodes.Success;
        }

        var coverage = commandLine.Value("--coverage") switch
        {
            null or "own" => CoverageScope.Own,
            "all" => CoverageScope.All,
            "none" => CoverageScope.None,
            _ => (CoverageScope?)null,
        };
        if (coverage is null)
        {
            return CliApp.UsageError(console, $"unknown coverage '{commandLine.Value("--coverage")}'; expected own, all or none", Usage);
        }

        var paths = commandLine.Positionals.Count == 0 ? ["."] : commandLine.Positionals.ToList();
        foreach (var path in paths)
        {
            if (!File.Exists(path) && !Directory.Exists(path))
            {
                console.Error.WriteLine($"{CliApp.CommandName}: no such file or directory: {path}");
                return ExitCodes.NoInput;
            }
        }

        var files = PolicyTestSuite.Discover(paths);
        if (files.Count == 0)
        {
            console.Error.WriteLine($"{CliApp.CommandName}: no *{PolicyTestSuite.FileSuffix} files found under {string.Join(", ", paths)}");
            return ExitCodes.NoInput;
        }

        var run = new TestRun(console, commandLine.Flag("--mutate"), coverage.Value, commandLine.Flag("--verbose"));
        return run.Execute(files, commandLine.Value("--policy"));
    }

    private sealed class TestRun(CliConsole console, bool mutate, CoverageScope coverage, bool verbose)
    {
        private readonly TextRenderer _renderer = new(console.Styled);
        private readonly Dictionary<string, (GuardPolicy? Policy, PolicyTestRunner? Runner)> _policies = new(StringComparer.Ordinal);
        private readonly Dictionary<string, List<PolicyTestResult>> _resultsByPolicy = new(StringComparer.Ordinal);
        private readonly List<MutationResult> _mutations = [];
        private int _passed;
        private int _failed;
        private int _invalidFiles;

        private TextWriter Out => console.Out;

        public int Execute(IReadOnlyList<string> files, string? policyOverride)
        {
            foreach (var file in files)
            {
                RunFile(file, policyOverride);
            }

            WriteCoverage();
            WriteMutations();
            var survivors = _mutations.Count(m => m.Survived);
            var summary = string.Create(CultureInfo.InvariantCulture,
                $"{_passed + _failed} case(s): {_passed} passed, {_failed} failed");
            if (_invalidFiles > 0)
            {
                summary += string.Create(CultureInfo.InvariantCulture, $"; {_invalidFiles} invalid file(s)");
            }

            if (mutate)
            {
                summary += string.Create(CultureInfo.InvariantCulture, $"; {_mutations.Count} bypass variant(s) tried, {survivors} got through");
            }

            Out.WriteLine();
            Out.WriteLine(summary);
            return _failed == 0 && _invalidFiles == 0 && survivors == 0 ? ExitCodes.Success : ExitCodes.TestsFailed;
        }

        private void RunFile(string file, string? policyOverride)
        {
            if (!PolicyTestSuite.TryLoad(file, out var suite, out var diagnostics))
            {
                _invalidFiles++;
                Out.WriteLine($"{file}: invalid test file");
                ValidateCommand.WriteDiagnostics(diagnostics, Out, gcc: true);
                return;
            }

            var policyName = policyOverride ?? suite.Policy ?? PolicyTestSuite.DefaultPolicy;
            var (policy, runner) = Load(policyName);
            Out.WriteLine(policy is null ? $"{file} (policy {policyName})" : $"{file} (policy {Display(policy)})");
            if (runner is null)
            {
                foreach (var testCase in suite.Cases)
                {
                    _failed++;
                    Out.WriteLine($"  {Fail()}  {testCase.Name}");
                }

                Out.WriteLine($"    the policy could not be loaded; see the diagnostics above");
                return;
            }

            var results = _resultsByPolicy.TryGetValue(policyName, out var list) ? list : _resultsByPolicy[policyName] = [];
            foreach (var testCase in suite.Cases)
            {
                PolicyTestResult result;
                try
                {
                    result = runner.Run(testCase);
                }
#pragma warning disable CA1031 // A case that cannot run is a failed case, reported, and the run goes on.
                catch (Exception ex)
#pragma warning restore CA1031
                {
                    _failed++;
                    Out.WriteLine($"  {Fail()}  {testCase.Name}");
                    Out.WriteLine($"        {Location(testCase)}: the case could not run: {ex.GetType().Name}: {ex.Message}");
                    continue;
                }

                results.Add(result);
                WriteResult(result);
                if (mutate)
                {
                    _mutations.AddRange(runner.Mutate(testCase, result));
                }
            }
        }

        private (GuardPolicy? Policy, PolicyTestRunner? Runner) Load(string policyName)
        {
            if (_policies.TryGetValue(policyName, out var loaded))
            {
                return loaded;
            }

            GuardPolicy.TryLoad(policyName, out var policy, out var diagnostics);
            if (diagnostics.Count > 0)
            {
                ValidateCommand.WriteDiagnostics(diagnostics, console.Error, gcc: true);
            }

            loaded = policy is null ? (null, null) : (policy, new PolicyTestRunner(policy));
            if (policy is null)
            {
                console.Error.WriteLine($"{CliApp.CommandName}: policy '{policyName}' could not be loaded");
            }

            _policies[policyName] = loaded;
            return loaded;
        }

        private void WriteResult(PolicyTestResult result)
        {
            if (result.Passed)
            {
                _passed++;
                Out.WriteLine($"  {Pass()}  {result.Case.Name}");
                if (verbose)
                {
                    WriteDecisions(result.Case, result.Decisions);
                }

                return;
            }

            _failed++;
            Out.WriteLine($"  {Fail()}  {result.Case.Name}");
            Out.WriteLine($"        {Location(result.Case)}");
            foreach (var failure in result.Failures)
            {
                Out.WriteLine($"        {failure}");
            }

            Out.WriteLine($"        - expected: {PolicyTestRunnerNames.Expected(result.Case.Expect)}");
            Out.WriteLine($"        + actual:   {Names.Of(result.Actual)}");
            WriteDecisions(result.Case, result.Decisions);
        }

        private void WriteDecisions(PolicyTestCase testCase, IReadOnlyList<Decision> decisions)
        {
            for (var i = 0; i < decisions.Count; i++)
            {
                var step = testCase.Steps[i];
                var decision = decisions[i];
                var prefix = testCase.IsSession ? string.Create(CultureInfo.InvariantCulture, $"call {i + 1}: ") : string.Empty;
                Out.WriteLine($"        {prefix}{Sanitize(step.ToString())}");
                Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"          {Names.Of(decision.Verdict)} (score {decision.Score}){(decision.ShadowVerdict is { } shadow ? $", audit mode: enforcement would {Names.Of(shadow)}" : string.Empty)}"));
                using var findings = new StringWriter();
                foreach (var finding in decision.Findings)
                {
                    _renderer.WriteFinding(finding, "command", step.Command ?? string.Empty, findings);
                }

                foreach (var line in findings.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries))
                {
                    Out.WriteLine("        " + line.TrimEnd('\r'));
                }
            }
        }

        private void WriteCoverage()
        {
            if (coverage == CoverageScope.None)
            {
                return;
            }

            foreach (var (policyName, results) in _resultsByPolicy)
            {
                var (policy, runner) = _policies[policyName];
                if (policy is null || runner is null || results.Count == 0)
                {
                    continue;
                }

                var result = runner.Coverage(results, coverage);
                Out.WriteLine();
                Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"Rule coverage of {Display(policy)}: {result.CoveredCount} of {result.RuleCount} rule(s) exercised{(result.OwnRulesOnly ? " (the policy's own rules; --coverage all adds inherited ones)" : string.Empty)}"));
                if (result.Uncovered.Count == 0)
                {
                    continue;
                }

                Out.WriteLine("  not exercised by any case:");
                foreach (var rule in result.Uncovered)
                {
                    var where = rule.File is null ? string.Empty
                        : rule.Line > 0 ? string.Create(CultureInfo.InvariantCulture, $"{rule.File}:{rule.Line}:{rule.Column}: ") : rule.File + ": ";
                    Out.WriteLine($"    {where}{rule.RuleId}");
                }
            }
        }

        private void WriteMutations()
        {
            if (!mutate)
            {
                return;
            }

            Out.WriteLine();
            var byCase = _mutations.GroupBy(m => m.Case).ToList();
            var survivors = _mutations.Where(m => m.Survived).ToList();
            Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"Bypass mutations: {_mutations.Count} variant(s) of {byCase.Count} case(s); {survivors.Count} got through, {_mutations.Count(m => m.Weakened)} escalated instead of denied"));
            foreach (var group in byCase)
            {
                var through = group.Where(m => m.Survived).ToList();
                if (through.Count == 0 && !verbose)
                {
                    continue;
                }

                Out.WriteLine($"  {group.Key.Name} ({Location(group.Key)})");
                foreach (var mutation in verbose ? group.ToList() : through)
                {
                    var marker = mutation.Survived ? Style("ALLOWED", Red) : Names.Of(mutation.Actual);
                    Out.WriteLine($"    {marker}  [{mutation.Mutation.Family}/{mutation.Mutation.Technique}] {Sanitize(mutation.Mutation.ToString())}");
                }
            }
        }

        private static string Display(GuardPolicy policy) => $"{policy.Name}@{policy.Version}";

        private static string Location(PolicyTestCase testCase) =>
            testCase.Line > 0 ? string.Create(CultureInfo.InvariantCulture, $"{testCase.File}:{testCase.Line}:{testCase.Column}") : testCase.File;

        private string Pass() => Style("PASS", Green);

        private string Fail() => Style("FAIL", Red);

        private const string Red = "\e[31m";
        private const string Green = "\e[32m";

        private string Style(string text, string colour) => console.Styled ? colour + text + "\e[0m" : text;

        private static string Sanitize(string text)
        {
            var line = text.ReplaceLineEndings("\\n");
            line = new string(line.Select(c => char.IsControl(c) ? '?' : c).ToArray());
            return line.Length > 200 ? line[..199] + "…" : line;
        }
    }

    private static class PolicyTestRunnerNames
    {
        public static string Expected(ExpectedVerdict expected) => expected switch
        {
            ExpectedVerdict.Allow => "allow",
            ExpectedVerdict.Escalate => "escalate",
            ExpectedVerdict.Deny => "deny",
            _ => "block (escalate or deny)",
        };
    }
}
