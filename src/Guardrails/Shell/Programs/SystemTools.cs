using System.Text.RegularExpressions;
using Guardrails.Actions;

namespace Guardrails.Shell.Programs;

/// <summary>
/// Semantics of system tools that change what runs or what is recorded without looking like it: macOS preferences
/// (<c>defaults</c>), AppleScript (<c>osascript</c>), the shell's own history (<c>history</c>, <c>set +o history</c>) and
/// the line editors <c>ed</c>/<c>ex</c>, whose scripts read, write and run commands.
/// </summary>
internal static partial class SystemTools
{
    private static readonly string[] s_defaultsWrites = ["write", "delete", "import", "rename"];
    private static readonly string[] s_defaultsReads = ["read", "read-type", "export", "find"];

    public static void Register(ProgramTableBuilder table)
    {
        table.Add(Defaults, "defaults");
        table.AddManual(Osascript, "osascript");
        table.AddManual(SetBuiltin, "set");
        table.AddManual(HistoryBuiltin, "history");
        table.Add(LineEditor, "ed", "ex");
    }

    /// <summary>
    /// <c>defaults write DOMAIN KEY VALUE</c> writes the domain's property list: <c>~/Library/Preferences/DOMAIN.plist</c>
    /// (<c>ByHost/DOMAIN.*.plist</c> with <c>-currentHost</c>), or the path when the domain is one. So the start-up
    /// catalog sees <c>defaults write com.apple.loginwindow LoginHook …</c> as a change of the login window's settings.
    /// </summary>
    private static void Defaults(in ProgramContext context)
    {
        var byHost = false;
        var i = 0;
        for (; i < context.Count; i++)
        {
            if (context[i] == "-currentHost")
            {
                byHost = true;
            }
            else if (context[i] == "-host" && i + 1 < context.Count)
            {
                i++;
            }
            else
            {
                break;
            }
        }

        if (i + 1 >= context.Count)
        {
            return;
        }

        var verb = context[i];
        var write = Array.IndexOf(s_defaultsWrites, verb) >= 0;
        if (!write && Array.IndexOf(s_defaultsReads, verb) < 0)
        {
            return;
        }

        var domainIndex = i + 1;
        var domain = context[domainIndex];
        if (domain == "-app" && domainIndex + 1 < context.Count)
        {
            domainIndex++;
            domain = context[domainIndex];
        }

        string path;
        if (domain is "-g" or "-globalDomain" or "NSGlobalDomain")
        {
            path = "~/Library/Preferences/.GlobalPreferences.plist";
        }
        else if (domain.StartsWith('/') || domain.StartsWith('~'))
        {
            path = domain.EndsWith(".plist", StringComparison.Ordinal) ? domain : domain + ".plist";
        }
        else
        {
            path = byHost ? $"~/Library/Preferences/ByHost/{domain}.*.plist" : $"~/Library/Preferences/{domain}.plist";
        }

        context.File(write ? FileAction.Write : FileAction.Read, context.Path(path), context.SpanOf(i, Math.Min(context.Count - 1, domainIndex + 2)));
    }

    /// <summary>
    /// AppleScript: <c>do shell script "…"</c> runs shell code; Terminal's <c>do script "…"</c> runs it in a new window
    /// that outlives the agent; login items are persistence. System Events (keystrokes, clicks, GUI scripting),
    /// <c>run script</c>, JavaScript for Automation, script files and code computed at run time are opaque.
    /// </summary>
    private static void Osascript(in ProgramContext context)
    {
        var lines = new List<string>();
        var span = default(TextSpan);
        var javascript = false;
        var operand = -1;
        for (var i = 0; i < context.Count; i++)
        {
            var argument = context[i];
            if (argument == "-e" && i + 1 < context.Count)
            {
                lines.Add(context[i + 1]);
                span = lines.Count == 1 ? context.SpanAt(i + 1) : TextSpan.Union(span, context.SpanAt(i + 1));
                i++;
            }
            else if (argument == "-l" && i + 1 < context.Count)
            {
                javascript = !context[i + 1].Equals("AppleScript", StringComparison.OrdinalIgnoreCase);
                i++;
            }
            else if (argument == "-s" && i + 1 < context.Count)
            {
                i++;
            }
            else if (!argument.StartsWith('-') || argument == "-")
            {
                operand = i;
                break;
            }
        }

        if (lines.Count == 0)
        {
            var script = operand >= 0 && context[operand] != "-" ? context.Path(context[operand]) : context.Invocation.StdinFile;
            context.Launch(script: script);
            context.Opaque(javascript ? "javascript" : "applescript", "an AppleScript (or JavaScript for Automation) script is run; its code is not analysed", context.Whole);
            return;
        }

        context.Launch();
        if (javascript)
        {
            context.Opaque("javascript", "inline JavaScript for Automation code is not analysed", span);
            return;
        }

        var code = string.Join('\n', lines);
        foreach (Match match in ShellScriptPattern().Matches(code))
        {
            var terminal = match.Groups["terminal"].Success;
            var command = LiteralAfter(code, match.Index + match.Length);
            if (command is null)
            {
                context.Opaque("applescript", "AppleScript runs a shell command computed at run time", span);
                continue;
            }

            var runner = terminal ? context.Copy(detachedBy: "osascript do script") : null;
            context.Shell(command, span, terminal ? "osascript do script" : "osascript do shell script", runner);
        }

        if (LoginItemPattern().IsMatch(code))
        {
            context.Schedule("login-item", code, null, span);
        }
        else if (UnanalysedPattern().IsMatch(code))
        {
            context.Opaque("applescript", "AppleScript drives other applications (System Events, run script) in ways that are not analysed", span);
        }
    }

    /// <summary>Gets the AppleScript string literal at <paramref name="index"/> (after blanks) when it is the whole argument, or null.</summary>
    private static string? LiteralAfter(string code, int index)
    {
        while (index < code.Length && code[index] is ' ' or '\t')
        {
            index++;
        }

        if (index >= code.Length || code[index] != '"')
        {
            return null;
        }

        var end = code.IndexOf('"', index + 1);
        if (end < 0)
        {
            return null;
        }

        var text = code[(index + 1)..end];
        var after = end + 1;
        while (after < code.Length && code[after] is ' ' or '\t')
        {
            after++;
        }

        // An escape or a concatenation (& …) means the command is not this literal alone.
        return text.Contains('\\', StringComparison.Ordinal) || (after < code.Length && code[after] == '&') ? null : text;
    }

    [GeneratedRegex(@"do\s+(?:shell\s+script|(?<terminal>script))\b", RegexOptions.IgnoreCase)]
    private static partial Regex ShellScriptPattern();

    [GeneratedRegex(@"login\s+item|LoginHook|LogoutHook", RegexOptions.IgnoreCase)]
    private static partial Regex LoginItemPattern();

    [GeneratedRegex(@"System Events|keystroke|key\s+code|\bclick\b|run\s+script|load\s+script|store\s+script|do\s+JavaScript", RegexOptions.IgnoreCase)]
    private static partial Regex UnanalysedPattern();

    /// <summary><c>set +o history</c>: the shell stops recording history, as if <c>HISTFILE</c> were unset.</summary>
    private static void SetBuiltin(in ProgramContext context)
    {
        for (var i = 0; i + 1 < context.Count; i++)
        {
            if (context[i] == "+o" && context[i + 1] == "history")
            {
                context.Environment("HISTFILE", null, context.SpanOf(i, i + 1));
            }
        }
    }

    /// <summary><c>history -c</c> / <c>history -d N</c> erase the shell's history, which the shell then writes over its history file.</summary>
    private static void HistoryBuiltin(in ProgramContext context)
    {
        for (var i = 0; i < context.Count; i++)
        {
            var argument = context[i];
            if (argument.Length > 1 && argument[0] == '-' && argument.AsSpan(1).IndexOfAny('c', 'd') >= 0)
            {
                context.File(FileAction.Write, context.Path("~/.bash_history"), context.Whole, content: string.Empty);
                return;
            }
        }
    }

    /// <summary>
    /// <c>ed</c>/<c>ex</c>: the file operand is read; a script on standard input (<c>echo 'e /etc/shadow\n,p' | ed</c>) or
    /// in <c>-c</c>/<c>+</c> commands reads (<c>e</c>, <c>E</c>, <c>r</c>) and writes (<c>w</c>, <c>W</c>) files and runs
    /// shell commands (<c>!cmd</c>). A script from a pipe whose content is not known is opaque.
    /// </summary>
    private static void LineEditor(in ProgramContext context)
    {
        var commands = new List<string>();
        var read = new List<string>();
        for (var i = 0; i < context.Count; i++)
        {
            var argument = context[i];
            if (argument == "-c" && i + 1 < context.Count)
            {
                commands.Add(context[++i]);
            }
            else if (argument.StartsWith('+') && argument.Length > 1)
            {
                commands.Add(argument[1..]);
            }
            else if (argument is "-p" && i + 1 < context.Count)
            {
                i++;
            }
            else if (!argument.StartsWith('-'))
            {
                // The file is read into the buffer and, being an editor's file, may be written back (`w`, `x`, `wq`
                // without a name), as every editor's operand is (see FileTools.Editor).
                context.File(FileAction.Read, context.Path(argument), context.SpanAt(i));
                context.File(FileAction.Write, context.Path(argument), context.SpanAt(i));
                read.Add(context.Path(argument));
            }
        }

        if (context.Invocation.StdinText is { } script)
        {
            commands.AddRange(script.Split('\n'));
        }
        else if (context.Invocation.StdinFromPipe && context.Invocation.StdinFile is null)
        {
            context.Opaque("shell", $"{context.Name} reads editor commands from a pipe whose content is not known", context.Whole);
        }

        foreach (var line in commands)
        {
            var command = line.Trim().TrimStart(':');
            if (command.StartsWith('!'))
            {
                context.Shell(command[1..], context.Whole, context.Name + " !");
                continue;
            }

            var space = command.IndexOf(' ', StringComparison.Ordinal);
            if (space <= 0)
            {
                continue;
            }

            var verb = command[..space].TrimStart('0', '1', '2', '3', '4', '5', '6', '7', '8', '9', ',', '$', '.', '%');
            var target = command[(space + 1)..].Trim();
            if (target.StartsWith('!'))
            {
                context.Shell(target[1..], context.Whole, context.Name + " " + verb + " !");
                continue;
            }

            switch (verb)
            {
                case "e" or "E" or "r" or "edit" or "read":
                    context.File(FileAction.Read, context.Path(target), context.Whole);
                    read.Add(context.Path(target));
                    break;
                case "w" or "W" or "wq" or "write" or "x":
                    context.File(verb == "W" ? FileAction.Append : FileAction.Write, context.Path(target), context.Whole);
                    break;
            }
        }

        FileTools.CopiedToStdoutFile(context, read);
    }
}
