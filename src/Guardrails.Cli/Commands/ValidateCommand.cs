using System.Globalization;
using Guardrails.Policies;

namespace Guardrails.Cli.Commands;

/// <summary><c>guardrails validate [FILE|builtin:NAME]</c>: loads a policy and reports every problem in it.</summary>
internal static class ValidateCommand
{
    /// <summary>Gets the usage text.</summary>
    public static string Usage { get; } =
        $"""
        Usage: {CliApp.CommandName} validate [FILE|builtin:NAME]

        Loads a policy (default: builtin:default) with everything it extends, compiles it, and prints
        every error and warning in the compiler format FILE(LINE,COLUMN): error CODE: MESSAGE.

        Options:
          -h, --help  Show this help.

        Exit codes: 0 the policy is valid (warnings allowed); 1 it has errors; 64 usage error.
        """;

    /// <summary>Runs the command.</summary>
    /// <param name="args">The arguments after <c>validate</c>.</param>
    /// <param name="console">The console.</param>
    /// <returns>The exit code: 0 valid, 1 invalid, 64 usage.</returns>
    public static int Run(ReadOnlySpan<string> args, CliConsole console)
    {
        if (!CommandLine.TryParse(args, ["--policy"], [], out var commandLine, out var problem))
        {
            return CliApp.UsageError(console, problem, Usage);
        }

        if (commandLine.HelpRequested)
        {
            console.Out.WriteLine(Usage);
            return ExitCodes.Success;
        }

        if (commandLine.Positionals.Count > 1 || (commandLine.Positionals.Count == 1 && commandLine.Value("--policy") is not null))
        {
            return CliApp.UsageError(console, "validate takes one policy", Usage);
        }

        var name = commandLine.Positionals.Count == 1 ? commandLine.Positionals[0] : commandLine.Value("--policy") ?? GuardFactory.DefaultPolicy;
        var loaded = GuardPolicy.TryLoad(name, out var policy, out var diagnostics);
        GuardFactory.WriteDiagnostics(diagnostics, console.Out);
        var errors = diagnostics.Count(d => d.Severity == PolicyDiagnosticSeverity.Error);
        var warnings = diagnostics.Count - errors;
        if (!loaded || policy is null)
        {
            console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name}: invalid ({Math.Max(errors, 1)} error(s), {warnings} warning(s))"));
            return ExitCodes.Invalid;
        }

        console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{policy.Name}@{policy.Version}: valid ({warnings} warning(s))"));
        return ExitCodes.Success;
    }
}
