using System.Globalization;
using Guardrails.Policies;

namespace Guardrails.Cli.Commands;

/// <summary>
/// <c>guardrails validate [FILE|builtin:NAME…]</c>: loads each policy and reports every problem in it — the load
/// diagnostics (syntax, unknown fields, types, meaning, examples) and the deeper analysis of
/// <see cref="PolicyAnalyzer"/> (shadowed rules, dangling references, patterns that match everything).
/// </summary>
internal static class ValidateCommand
{
    /// <summary>Gets the usage text.</summary>
    public static string Usage { get; } =
        $"""
        Usage: {CliApp.CommandName} validate [FILE|builtin:NAME...] [--format gcc|msbuild] [--warnings-as-errors]

        Loads each policy (default: builtin:default) with everything it extends, compiles it, checks its
        rules' inline examples, then analyses it for rules that can never fire or never change a decision
        (shadowed by an earlier deny rule, or suppressed everywhere by an allow rule), 'suppresses' entries
        that name nothing and argument patterns that match everything. Every problem is printed at once:

          FILE:LINE:COLUMN: error CODE: MESSAGE [at JSON.PATH]
              help: HOW TO FIX IT

        Options:
          --format gcc|msbuild    gcc (default): FILE:LINE:COLUMN: …; msbuild: FILE(LINE,COLUMN): … as
                                  MSBuild and Visual Studio show it.
          --warnings-as-errors    Exit 1 when there are warnings too.
          -h, --help              Show this help.

        Exit codes: 0 every policy is valid (warnings allowed); 1 errors (or warnings with
        --warnings-as-errors); 64 usage error.
        """;

    /// <summary>Runs the command.</summary>
    /// <param name="args">The arguments after <c>validate</c>.</param>
    /// <param name="console">The console.</param>
    /// <returns>The exit code: 0 valid, 1 invalid, 64 usage.</returns>
    public static int Run(ReadOnlySpan<string> args, CliConsole console)
    {
        if (!CommandLine.TryParse(args, ["--policy", "--format"], ["--warnings-as-errors"], out var commandLine, out var problem))
        {
            return CliApp.UsageError(console, problem, Usage);
        }

        if (commandLine.HelpRequested)
        {
            console.Out.WriteLine(Usage);
            return ExitCodes.Success;
        }

        var gcc = commandLine.Value("--format") switch
        {
            null or "gcc" => true,
            "msbuild" => false,
            _ => (bool?)null,
        };
        if (gcc is null)
        {
            return CliApp.UsageError(console, $"unknown format '{commandLine.Value("--format")}'; expected gcc or msbuild", Usage);
        }

        var names = commandLine.Positionals.ToList();
        if (commandLine.Value("--policy") is { } option)
        {
            names.Add(option);
        }

        if (names.Count == 0)
        {
            names.Add(GuardFactory.DefaultPolicy);
        }

        var failed = false;
        foreach (var name in names)
        {
            failed |= !Validate(name, console, gcc.Value, commandLine.Flag("--warnings-as-errors"));
        }

        return failed ? ExitCodes.Invalid : ExitCodes.Success;
    }

    /// <summary>
    /// Writes diagnostics, each followed by its help line, in the GCC format (<c>FILE:LINE:COLUMN: error CODE: MESSAGE</c>)
    /// or the MSBuild format (<c>FILE(LINE,COLUMN): error CODE: MESSAGE</c>).
    /// </summary>
    /// <param name="diagnostics">The diagnostics.</param>
    /// <param name="writer">Where they go.</param>
    /// <param name="gcc">Whether to use the GCC format.</param>
    public static void WriteDiagnostics(IEnumerable<PolicyDiagnostic> diagnostics, TextWriter writer, bool gcc)
    {
        foreach (var diagnostic in diagnostics)
        {
            writer.WriteLine(gcc ? Gcc(diagnostic) : diagnostic.ToString());
            if (!string.IsNullOrEmpty(diagnostic.Help))
            {
                writer.WriteLine($"    help: {diagnostic.Help}");
            }
        }
    }

    /// <summary>Formats a diagnostic as GCC and Clang do: <c>FILE:LINE:COLUMN: error CODE: MESSAGE [at PATH]</c>.</summary>
    /// <param name="diagnostic">The diagnostic.</param>
    /// <returns>The line.</returns>
    public static string Gcc(PolicyDiagnostic diagnostic)
    {
        var location = diagnostic.File ?? CliApp.CommandName;
        if (diagnostic.File is not null && diagnostic.Line > 0)
        {
            location += string.Create(CultureInfo.InvariantCulture, $":{diagnostic.Line}");
            if (diagnostic.Column > 0)
            {
                location += string.Create(CultureInfo.InvariantCulture, $":{diagnostic.Column}");
            }
        }

        var severity = diagnostic.Severity == PolicyDiagnosticSeverity.Error ? "error" : "warning";
        var path = diagnostic.JsonPath is null ? string.Empty : $" [at {diagnostic.JsonPath}]";
        return $"{location}: {severity} {diagnostic.Code}: {diagnostic.Message}{path}";
    }

    private static bool Validate(string name, CliConsole console, bool gcc, bool warningsAsErrors)
    {
        var loaded = GuardPolicy.TryLoad(name, out var policy, out var diagnostics);
        var all = diagnostics.ToList();
        if (loaded && policy is not null)
        {
            try
            {
                all.AddRange(PolicyAnalyzer.Analyze(policy));
            }
#pragma warning disable CA1031 // The analysis is advisory: its failure is reported, the load result stands.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                all.Add(new PolicyDiagnostic("GR2400", PolicyDiagnosticSeverity.Warning, $"the policy analysis failed: {ex.GetType().Name}: {ex.Message}", null, policy.Name, 0, 0, null));
            }
        }

        WriteDiagnostics(all, console.Out, gcc);
        var errors = all.Count(d => d.Severity == PolicyDiagnosticSeverity.Error);
        var warnings = all.Count - errors;
        if (!loaded || policy is null)
        {
            console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name}: invalid ({Math.Max(errors, 1)} error(s), {warnings} warning(s))"));
            return false;
        }

        var valid = !(warningsAsErrors && warnings > 0);
        console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{policy.Name}@{policy.Version}: {(valid ? "valid" : "invalid: warnings are errors")} ({warnings} warning(s))"));
        return valid;
    }
}
