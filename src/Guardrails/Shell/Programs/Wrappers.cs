using Guardrails.Actions;

namespace Guardrails.Shell.Programs;

/// <summary>
/// Wrappers: programs that run another command (nohup, setsid, sudo, env, timeout, nice, xargs, find -exec, …). A pure
/// wrapper emits no launch of its own; it builds the inner <see cref="CommandInvocation"/> from a slice of its
/// arguments (with the same spans) and hands it back to the host. A wrapper with no inner command is launched like any
/// program.
/// </summary>
internal static class Wrappers
{
    private static readonly OptionSpec s_none = new(stopAtFirstOperand: true);

    private static readonly GenericWrapper[] s_generic =
    [
        new(s_none, 0, "nohup", "nohup"),
        new(new OptionSpec(longFlags: ["ctty", "fork", "wait"], aliases: ["ctty=c", "fork=f", "wait=w"], stopAtFirstOperand: true), 0, "setsid", "setsid"),
        new(new OptionSpec(shortValues: "sk", longValues: ["signal", "kill-after"], longFlags: ["foreground", "preserve-status", "verbose"], aliases: ["signal=s", "kill-after=k"], stopAtFirstOperand: true, abbreviations: true), 1, null, "timeout"),
        new(new OptionSpec(shortValues: "n", longValues: ["adjustment"], aliases: ["adjustment=n"], stopAtFirstOperand: true, abbreviations: true), 0, null, "nice"),
        new(new OptionSpec(shortValues: "ioe", longValues: ["input", "output", "error"], aliases: ["input=i", "output=o", "error=e"], stopAtFirstOperand: true, abbreviations: true), 0, null, "stdbuf"),
        new(new OptionSpec(longValues: ["userspec", "groups"], longFlags: ["skip-chdir"], stopAtFirstOperand: true, abbreviations: true), 1, null, "chroot"),
        new(new OptionSpec(shortValues: "tw", stopAtFirstOperand: true), 0, null, "caffeinate"),
        new(s_none, 0, null, "unbuffer", "catchsegv", "builtin", "tsocks", "dbus-run-session", "dbus-launch", "nocache", "eatmydata", "fakeroot", "proot", "trickle"),
        new(new OptionSpec(shortValues: "pfdP", stopAtFirstOperand: true), 0, null, "sshpass"),
        new(new OptionSpec(shortValues: "f", stopAtFirstOperand: true), 0, null, "proxychains", "proxychains4"),
        new(new OptionSpec(shortValues: "uapP", longFlags: ["shell", "isolate"], stopAtFirstOperand: true), 0, null, "torsocks"),
        new(new OptionSpec(shortValues: "abeEIoOPsSuUX", stopAtFirstOperand: true), 0, null, "strace"),
        new(new OptionSpec(shortValues: "aeElnosuwADFx", stopAtFirstOperand: true), 0, null, "ltrace"),
        new(s_none, 0, null, "valgrind", "firejail", "nvidia-smi-wrap", "gdbserver"),
        new(new OptionSpec(shortValues: "SGwR", longValues: ["setuid", "setgid", "wd", "root", "propagation", "map-user", "map-group", "map-users", "map-groups", "monotonic", "boottime"], longOptional: ["mount", "uts", "ipc", "net", "pid", "user", "cgroup", "time", "kill-child", "mount-proc", "mount-binfmt"], stopAtFirstOperand: true), 0, null, "unshare"),
        new(new OptionSpec(shortValues: "tSG", shortOptional: "rwmuinpUCT", longValues: ["target", "setuid", "setgid"], longOptional: ["mount", "uts", "ipc", "net", "pid", "user", "cgroup", "time", "root", "wd"], stopAtFirstOperand: true), 0, null, "nsenter"),
        new(new OptionSpec(shortValues: "imNCpP", longValues: ["interleave", "preferred", "membind", "cpunodebind", "physcpubind", "preferred-many", "weighted-interleave"], stopAtFirstOperand: true), 0, null, "numactl"),
        new(new OptionSpec(shortValues: "g", longFlags: ["sticky"], stopAtFirstOperand: true), 0, null, "cgexec"),
        new(new OptionSpec(longValues: ["user"], longFlags: ["disable-internal-agent", "keep-cwd"], stopAtFirstOperand: true), 0, null, "pkexec"),
        new(new OptionSpec(shortValues: "fHlPsSeCMOqz", stopAtFirstOperand: true), 0, null, "rlwrap"),
        new(new OptionSpec(shortValues: "efnpsw", longValues: ["error-file", "auth-file", "server-num", "xauth-protocol", "server-args", "wait"], stopAtFirstOperand: true), 0, null, "xvfb-run"),
        new(new OptionSpec(longValues: ["what", "who", "why", "mode"], longFlags: ["list", "no-pager", "no-legend", "no-ask-password"], stopAtFirstOperand: true), 0, null, "systemd-inhibit"),
        new(new OptionSpec(shortValues: "aEtP", stopAtFirstOperand: true), 0, null, "ssh-agent"),
        new(new OptionSpec(shortValues: "uC", stopAtFirstOperand: true), 0, null, "doas"),
    ];

    private static readonly OptionSpec s_ionice = new(shortValues: "cnpPu", longValues: ["class", "classdata", "pid", "pgid", "uid"], longFlags: ["ignore"], aliases: ["class=c", "classdata=n", "pid=p", "pgid=P", "uid=u"], stopAtFirstOperand: true);

    private static readonly OptionSpec s_taskset = new(longFlags: ["all-tasks", "pid", "cpu-list"], aliases: ["all-tasks=a", "pid=p", "cpu-list=c"], stopAtFirstOperand: true);

    private static readonly OptionSpec s_chrt = new(shortValues: "TPD", longValues: ["sched-runtime", "sched-period", "sched-deadline"], longFlags: ["pid", "all-tasks", "batch", "deadline", "fifo", "idle", "other", "rr", "reset-on-fork", "max", "verbose"], aliases: ["pid=p"], stopAtFirstOperand: true);

    private static readonly OptionSpec s_sudo = new(
        shortValues: "ugCDhpRrtTU",
        longValues: ["user", "group", "close-from", "chdir", "host", "prompt", "role", "type", "command-timeout", "other-user", "chroot"],
        longOptional: ["preserve-env"],
        longFlags: ["login", "shell", "background", "edit", "list", "validate", "reset-timestamp", "remove-timestamp", "askpass", "bell", "non-interactive", "preserve-groups", "set-home", "stdin", "version", "help"],
        aliases: ["user=u", "group=g", "close-from=C", "chdir=D", "host=h", "prompt=p", "chroot=R", "role=r", "type=t", "command-timeout=T", "other-user=U", "login=i", "shell=s", "background=b", "edit=e", "list=l", "validate=v", "reset-timestamp=k", "remove-timestamp=K", "non-interactive=n", "set-home=H", "stdin=S"],
        stopAtFirstOperand: true,
        abbreviations: true);

    private static readonly OptionSpec s_su = new(
        shortValues: "csgGwC",
        longValues: ["command", "session-command", "shell", "group", "supp-group", "whitelist-environment"],
        longFlags: ["login", "preserve-environment", "pty", "fast"],
        aliases: ["command=c", "session-command=c", "C=c", "shell=s", "login=l", "group=g", "supp-group=G", "whitelist-environment=w"],
        abbreviations: true);

    private static readonly OptionSpec s_runuserCommand = new(shortValues: "ugG", longValues: ["user", "group", "supp-group"], longFlags: ["login", "preserve-environment", "pty"], aliases: ["user=u"], stopAtFirstOperand: true);

    private static readonly OptionSpec s_time = new(shortValues: "fo", longValues: ["format", "output"], longFlags: ["append", "portability", "verbose", "quiet"], aliases: ["format=f", "output=o", "append=a", "portability=p", "verbose=v", "quiet=q"], stopAtFirstOperand: true);

    private static readonly OptionSpec s_flock = new(shortValues: "wEc", longValues: ["timeout", "wait", "conflict-exit-code", "command"], longFlags: ["shared", "exclusive", "unlock", "nonblock", "nb", "close", "no-fork", "verbose"], aliases: ["timeout=w", "wait=w", "command=c", "conflict-exit-code=E"], stopAtFirstOperand: true);

    private static readonly OptionSpec s_xargs = new(
        shortValues: "adEILnPs",
        shortOptional: "eil",
        longValues: ["arg-file", "delimiter", "max-args", "max-procs", "max-chars", "process-slot-var"],
        longOptional: ["max-lines", "replace", "eof"],
        longFlags: ["null", "interactive", "no-run-if-empty", "verbose", "exit", "open-tty", "show-limits"],
        aliases: ["arg-file=a", "delimiter=d", "max-args=n", "max-procs=P", "max-chars=s", "null=0", "interactive=p", "no-run-if-empty=r", "verbose=t", "exit=x", "open-tty=o"],
        stopAtFirstOperand: true,
        abbreviations: true);

    private static readonly OptionSpec s_parallel = new(
        shortValues: "jSaCdEnNLPI",
        longValues: ["jobs", "sshlogin", "slf", "sshloginfile", "arg-file", "colsep", "delimiter", "joblog", "results", "res", "tmpdir", "workdir", "wd", "max-args", "max-replace-args", "delay", "timeout", "retries", "memfree", "load", "halt", "env", "basefile", "bf", "trc", "return", "tag-string", "tagstring", "block", "recstart", "recend", "header", "rpl", "ssh", "sshdelay", "nice", "max-procs", "termseq", "limit", "arg-sep", "arg-file-sep"],
        aliases: ["jobs=j", "sshlogin=S", "arg-file=a", "max-procs=j", "P=j"],
        stopAtFirstOperand: true);

    private static readonly OptionSpec s_watch = new(
        shortValues: "nq",
        shortOptional: "d",
        longValues: ["interval", "equexit"],
        longOptional: ["differences"],
        longFlags: ["no-title", "beep", "errexit", "chgexit", "color", "no-color", "exec", "precise", "no-wrap", "no-rerun"],
        aliases: ["interval=n", "exec=x", "differences=d"],
        stopAtFirstOperand: true);

    private static readonly OptionSpec s_script = new(
        shortValues: "cEBIOTmo",
        shortOptional: "t",
        longValues: ["command", "echo", "log-io", "log-in", "log-out", "log-timing", "logging-format", "output-limit"],
        longOptional: ["timing"],
        longFlags: ["append", "return", "flush", "force", "quiet"],
        aliases: ["command=c"]);

    public static void Register(ProgramTableBuilder table)
    {
        foreach (var wrapper in s_generic)
        {
            var captured = wrapper;
            table.AddManual((in ProgramContext context) => Generic(context, captured), wrapper.Names);
        }

        table.AddManual(Ionice, "ionice");
        table.AddManual(Taskset, "taskset");
        table.AddManual(Chrt, "chrt");
        table.AddManual(Sudo, "sudo");
        table.AddManual(Sudoedit, "sudoedit");
        table.AddManual(Su, "su", "runuser");
        table.AddManual(Env, "env");
        table.AddManual(Time, "time");
        table.AddManual(Flock, "flock");
        table.AddManual(Command, "command");
        table.AddManual(Exec, "exec");
        table.AddManual(Xargs, "xargs");
        table.Add(Find, "find");
        table.AddManual(Parallel, "parallel");
        table.AddManual(Watch, "watch");
        table.AddManual(Script, "script");
        table.AddManual(Busybox, "busybox", "toybox");
        table.AddManual(Sg, "sg");
        table.AddManual(MpiRun, "mpirun", "mpiexec", "orterun");
    }

    private static void Generic(in ProgramContext context, GenericWrapper wrapper)
    {
        var parsed = OptionParser.Parse(context.Args, wrapper.Options);
        RunAfter(context, parsed, wrapper.SkipOperands, wrapper.DetachedBy);
    }

    /// <summary>Runs the command that starts <paramref name="skip"/> operands after option parsing stopped, or launches the wrapper itself when there is none.</summary>
    private static void RunAfter(in ProgramContext context, ParsedArguments parsed, int skip, string? detachedBy, string? workingDirectory = null, bool inheritStdin = true)
    {
        var start = parsed.RestIndex < 0 ? -1 : parsed.RestIndex + skip;
        if (start < 0 || start >= context.Count)
        {
            context.Launch(detachedBy: detachedBy);
            return;
        }

        context.RunInner(start, context.Name, detachedBy, workingDirectory, inheritStdin);
    }

    private static void Ionice(in ProgramContext context)
    {
        var parsed = OptionParser.Parse(context.Args, s_ionice);
        if (parsed.Has("p") || parsed.Has("P") || parsed.Has("u"))
        {
            context.Launch();
            return;
        }

        RunAfter(context, parsed, 0, null);
    }

    private static void Taskset(in ProgramContext context)
    {
        var parsed = OptionParser.Parse(context.Args, s_taskset);
        if (parsed.Has("p"))
        {
            context.Launch();
            return;
        }

        RunAfter(context, parsed, 1, null);
    }

    private static void Chrt(in ProgramContext context)
    {
        var parsed = OptionParser.Parse(context.Args, s_chrt);
        if (parsed.Has("p") || parsed.Has("m") || parsed.Has("max"))
        {
            context.Launch();
            return;
        }

        RunAfter(context, parsed, 1, null);
    }

    private static void Sudo(in ProgramContext context)
    {
        var parsed = OptionParser.Parse(context.Args, s_sudo);
        var start = parsed.RestIndex;
        while (start >= 0 && start < context.Count && IsAssignment(context[start], out var eq))
        {
            context.Environment(context[start][..eq], context[start][(eq + 1)..], context.SpanAt(start));
            start++;
        }

        if (parsed.Has("e"))
        {
            context.Launch();
            for (var i = Math.Max(start, 0); i >= 0 && i < context.Count; i++)
            {
                context.File(FileAction.Write, context.Path(context[i]), context.SpanAt(i));
            }

            return;
        }

        if (start < 0 || start >= context.Count)
        {
            context.Launch(detachedBy: parsed.Has("b") ? "sudo -b" : null);
            if (parsed.Has("i") || parsed.Has("s"))
            {
                ShellFromStdin(context, parsed.Has("i") ? "sudo -i" : "sudo -s");
            }

            return;
        }

        var directory = parsed.Value("D") is { } d ? context.Path(d) : null;
        context.RunInner(start, "sudo", parsed.Has("b") ? "sudo -b" : null, directory);
    }

    private static void Sudoedit(in ProgramContext context)
    {
        var parsed = OptionParser.Parse(context.Args, s_sudo);
        context.Launch();
        for (var k = 0; k < parsed.OperandCount; k++)
        {
            context.File(FileAction.Write, context.Path(parsed.Operand(k)), context.SpanAt(parsed.Operands[k]));
        }
    }

    /// <summary>An interactive shell (<c>sudo -s</c>, <c>su</c>) reading commands from standard input.</summary>
    private static void ShellFromStdin(in ProgramContext context, string via)
    {
        var invocation = context.Invocation;
        if (invocation.StdinText is { } text)
        {
            context.Shell(text, context.Whole, via, context.Copy(null, inheritStdin: false));
        }
        else if (invocation.StdinFile is null && invocation.StdinFromPipe)
        {
            context.Opaque("shell", "a shell reads commands from a pipe whose content is not known", context.Whole);
        }
    }

    private static bool IsAssignment(string word, out int eq)
    {
        eq = word.IndexOf('=', StringComparison.Ordinal);
        if (eq <= 0 || word[0] == '-' || char.IsAsciiDigit(word[0]))
        {
            return false;
        }

        for (var i = 0; i < eq; i++)
        {
            if (!char.IsAsciiLetterOrDigit(word[i]) && word[i] != '_')
            {
                return false;
            }
        }

        return true;
    }

    private static void Su(in ProgramContext context)
    {
        if (string.Equals(context.Name, "runuser", StringComparison.Ordinal) && HasRunuserCommand(context))
        {
            var direct = OptionParser.Parse(context.Args, s_runuserCommand);
            RunAfter(context, direct, 0, null);
            return;
        }

        var parsed = OptionParser.Parse(context.Args, s_su);
        if (parsed.Last("c") is { Value: { } code } option)
        {
            context.Shell(code, context.SpanAt(option.ValueIndex), context.Name + " -c");
            return;
        }

        context.Launch();
        ShellFromStdin(context, context.Name);
    }

    private static bool HasRunuserCommand(in ProgramContext context)
    {
        for (var i = 0; i < context.Count; i++)
        {
            if (context[i] is "-u" or "--user" || context[i].StartsWith("--user=", StringComparison.Ordinal) || (context[i].StartsWith("-u", StringComparison.Ordinal) && context[i].Length > 2))
            {
                return true;
            }

            if (!context[i].StartsWith('-'))
            {
                return false;
            }
        }

        return false;
    }

    private static void Env(in ProgramContext context)
    {
        string? directory = null;
        string? split = null;
        var splitIndex = -1;
        var i = 0;
        var optionsDone = false;
        for (; i < context.Count; i++)
        {
            var arg = context[i];
            if (!optionsDone && arg == "--")
            {
                optionsDone = true;
                continue;
            }

            if (!optionsDone && arg.Length > 1 && arg[0] == '-')
            {
                if (arg[1] == '-')
                {
                    var eq = arg.IndexOf('=', StringComparison.Ordinal);
                    var name = eq < 0 ? arg[2..] : arg[2..eq];
                    string? value = eq < 0 ? null : arg[(eq + 1)..];
                    if (name is "unset" or "chdir" or "split-string" && value is null && i + 1 < context.Count)
                    {
                        value = context[++i];
                    }

                    switch (name)
                    {
                        case "unset" when value is not null:
                            context.Environment(value, null, context.SpanAt(i));
                            break;
                        case "chdir" when value is not null:
                            directory = context.Path(value);
                            break;
                        case "split-string" when value is not null:
                            split = value;
                            splitIndex = i;
                            break;
                    }

                    continue;
                }

                for (var j = 1; j < arg.Length; j++)
                {
                    var c = arg[j];
                    if (c is 'u' or 'C' or 'S' or 'P')
                    {
                        string? value = j + 1 < arg.Length ? arg[(j + 1)..] : i + 1 < context.Count ? context[++i] : null;
                        if (value is not null)
                        {
                            switch (c)
                            {
                                case 'u':
                                    context.Environment(value, null, context.SpanAt(i));
                                    break;
                                case 'C':
                                    directory = context.Path(value);
                                    break;
                                case 'S':
                                    split = value;
                                    splitIndex = i;
                                    break;
                            }
                        }

                        break;
                    }
                }

                continue;
            }

            if (arg == "-")
            {
                continue;
            }

            if (IsAssignment(arg, out var equals))
            {
                context.Environment(arg[..equals], arg[(equals + 1)..], context.SpanAt(i));
                optionsDone = true;
                continue;
            }

            break;
        }

        if (split is not null)
        {
            var code = i < context.Count ? split + " " + context.Join(i) : split;
            var span = i < context.Count ? context.SpanOf(splitIndex, context.Count - 1) : context.SpanAt(splitIndex);
            context.Shell(code, span, "env -S");
            return;
        }

        if (i >= context.Count)
        {
            context.Launch();
            return;
        }

        context.RunInner(i, "env", workingDirectory: directory);
    }

    private static void Time(in ProgramContext context)
    {
        var parsed = OptionParser.Parse(context.Args, s_time);
        if (parsed.Last("o") is { Value: { } output } option)
        {
            context.File(parsed.Has("a") ? FileAction.Append : FileAction.Write, context.Path(output), context.SpanOf(option));
        }

        RunAfter(context, parsed, 0, null);
    }

    private static void Flock(in ProgramContext context)
    {
        var parsed = OptionParser.Parse(context.Args, s_flock);
        if (parsed.Last("c") is { Value: { } early } earlyOption)
        {
            context.Shell(early, context.SpanAt(earlyOption.ValueIndex), "flock -c");
            return;
        }

        var file = parsed.RestIndex;
        var next = file + 1;
        if (file < 0 || next >= context.Count)
        {
            context.Launch();
            return;
        }

        if (context[next] is "-c" or "--command" && next + 1 < context.Count)
        {
            context.Shell(context[next + 1], context.SpanAt(next + 1), "flock -c");
            return;
        }

        context.RunInner(next, "flock");
    }

    private static void Command(in ProgramContext context)
    {
        var i = 0;
        for (; i < context.Count; i++)
        {
            var arg = context[i];
            if (arg == "--")
            {
                i++;
                break;
            }

            if (arg.Length < 2 || arg[0] != '-')
            {
                break;
            }

            if (arg.Contains('v', StringComparison.Ordinal) || arg.Contains('V', StringComparison.Ordinal))
            {
                return;
            }
        }

        if (i < context.Count)
        {
            context.RunInner(i, "command");
        }
    }

    private static void Exec(in ProgramContext context)
    {
        string? name = null;
        var i = 0;
        for (; i < context.Count; i++)
        {
            var arg = context[i];
            if (arg == "--")
            {
                i++;
                break;
            }

            if (arg.Length < 2 || arg[0] != '-')
            {
                break;
            }

            var a = arg.IndexOf('a', StringComparison.Ordinal);
            if (a > 0)
            {
                name = a + 1 < arg.Length ? arg[(a + 1)..] : i + 1 < context.Count ? context[++i] : null;
            }
        }

        if (i < context.Count)
        {
            context.RunInner(i, name is null ? "exec" : "exec -a " + name);
        }
    }

    private static void Xargs(in ProgramContext context)
    {
        var parsed = OptionParser.Parse(context.Args, s_xargs);
        var stdin = context.Invocation.StdinText;
        var start = parsed.RestIndex;
        if (stdin is not null && (start < 0 || start >= context.Count) && !parsed.Has("a"))
        {
            // xargs without a command runs echo with the items.
            context.Launch();
            var echoed = SplitItems(stdin, parsed.Has("0") ? "\\0" : parsed.Value("d"));
            var whole = context.Whole;
            context.Host.AnalyzeInvocation(new CommandInvocation
            {
                Program = "echo",
                Arguments = echoed,
                ArgumentSpans = echoed.ConvertAll(_ => whole),
                Span = context.Whole,
                ProgramSpan = context.Whole,
                Source = context.Source,
                WorkingDirectory = context.Invocation.WorkingDirectory,
                Via = context.ViaThen("xargs"),
                Depth = context.Invocation.Depth,
            });
            return;
        }

        // Process ids piped from commands whose output is not known stand for that output, as a command substitution
        // would: `pgrep guardrails | xargs kill` is `kill $(pgrep guardrails)`, whose targets name what they come from.
        // Other commands keep their template (the items are unknown paths or words that say nothing more).
        var pipedFrom = stdin is null && start >= 0 && start < context.Count && context.Invocation.StdinPipedFrom is { } upstream
            && System.IO.Path.GetFileName(context[start]) is "kill" or "pkill" or "killall" or "skill" ? SymbolicOutput(upstream) : null;
        if ((stdin is null && pipedFrom is null) || start < 0 || start >= context.Count || parsed.Has("a"))
        {
            RunAfter(context, parsed, 0, null, inheritStdin: parsed.Has("o") || parsed.Has("a"));
            return;
        }

        // The items piped into xargs are known (echo, printf, a here-string): run the command as xargs builds it, with
        // the items appended, or substituted for the -I placeholder, so `printf '%s\0' /models/q | xargs -0 cp -r -t /tmp`
        // is the copy it is. Items are split on NUL with -0, on the -d delimiter, else on blanks and newlines.
        var items = stdin is null ? [pipedFrom!] : SplitItems(stdin, parsed.Has("0") ? "\0" : parsed.Value("d"));
        var placeholder = parsed.Has("I") ? parsed.Value("I") ?? "{}" : parsed.Has("i") ? parsed.Value("i") ?? "{}" : null;
        var inner = context.Inner(start, context.Count, context.ViaThen("xargs"), inheritStdin: false);
        var runs = placeholder is null ? 1 : Math.Min(items.Count, 16);
        for (var run = 0; run < runs; run++)
        {
            var arguments = new List<string>(inner.Arguments.Count + items.Count);
            foreach (var argument in inner.Arguments)
            {
                arguments.Add(placeholder is null ? argument : argument.Replace(placeholder, items[run], StringComparison.Ordinal));
            }

            var spans = new List<TextSpan>(inner.ArgumentSpans);
            if (placeholder is null)
            {
                foreach (var item in items)
                {
                    arguments.Add(item);
                    spans.Add(context.Whole);
                }
            }

            context.Host.AnalyzeInvocation(new CommandInvocation
            {
                Program = placeholder is null ? inner.Program : inner.Program.Replace(placeholder, items[run], StringComparison.Ordinal),
                Arguments = arguments,
                ArgumentSpans = spans,
                Span = inner.Span,
                ProgramSpan = inner.ProgramSpan,
                Source = inner.Source,
                WorkingDirectory = inner.WorkingDirectory,
                Detached = inner.Detached,
                DetachedBy = inner.DetachedBy,
                Via = inner.Via,
                Depth = inner.Depth,
                StdoutToPipe = inner.StdoutToPipe,
            });
        }
    }

    // "$(…)" around the upstream text, with the characters that would end or nest it blanked out, so that the item
    // reads as one unknown command substitution wherever it lands (an argument, or code run by `sh -c`).
    private static string SymbolicOutput(string upstream)
    {
        var text = new System.Text.StringBuilder(upstream.Length + 3).Append("$(");
        foreach (var c in upstream)
        {
            text.Append(c is '(' or ')' or '\'' or '"' or '`' or '$' or ';' or '&' or '|' or '<' or '>' or '\\' or '\n' or '{' or '}' ? ' ' : c);
        }

        return text.Append(')').ToString();
    }

    private static List<string> SplitItems(string text, string? delimiter)
    {
        var items = new List<string>();
        if (delimiter is { Length: > 0 })
        {
            var separator = delimiter switch
            {
                "\\0" or "\0" => '\0',
                "\\n" => '\n',
                "\\t" => '\t',
                _ => delimiter[0],
            };
            foreach (var item in text.Split(separator))
            {
                if (item.Length > 0 && items.Count < 256)
                {
                    items.Add(item.TrimEnd('\n'));
                }
            }

            return items;
        }

        foreach (var item in text.Split([' ', '\t', '\n'], StringSplitOptions.RemoveEmptyEntries))
        {
            if (items.Count < 256)
            {
                items.Add(item.Trim('"', '\''));
            }
        }

        return items;
    }

    private static void Find(in ProgramContext context)
    {
        var i = 0;
        while (i < context.Count && context[i] is "-H" or "-L" or "-P" || (i < context.Count && context[i].StartsWith("-O", StringComparison.Ordinal)))
        {
            i++;
        }

        if (i < context.Count && context[i] == "-D")
        {
            i += 2;
        }

        var roots = new List<int>();
        while (i < context.Count && !IsFindExpressionStart(context[i]))
        {
            roots.Add(i);
            i++;
        }

        string? namePattern = null;
        for (var k = i; k + 1 < context.Count; k++)
        {
            if (context[k] is "-name" or "-iname")
            {
                namePattern = context[k + 1];
                break;
            }
        }

        if (namePattern is not null && namePattern.AsSpan().IndexOfAny("*?[") < 0)
        {
            // find … -name id_rsa: a search for a specific file name reads what it finds (a credential search shows here).
            foreach (var root in roots.Count == 0 ? [-1] : roots)
            {
                var rootPath = root < 0 ? "." : context[root];
                context.File(FileAction.Read, context.Path(rootPath.TrimEnd('/') + "/**/" + namePattern), root < 0 ? context.Whole : context.SpanAt(root));
            }
        }

        for (; i < context.Count; i++)
        {
            var token = context[i];
            switch (token)
            {
                case "-exec" or "-execdir" or "-ok" or "-okdir":
                    var start = i + 1;
                    var end = start;
                    while (end < context.Count && context[end] != ";" && !(context[end] == "+" && end > start && context[end - 1] == "{}"))
                    {
                        end++;
                    }

                    if (end > start)
                    {
                        RunFindExec(context, roots, namePattern, start, end, token);
                    }

                    i = end;
                    break;
                case "-delete":
                    if (roots.Count == 0)
                    {
                        context.File(FileAction.Delete, context.Path("."), context.SpanAt(i), recursive: true);
                    }

                    foreach (var root in roots)
                    {
                        context.File(FileAction.Delete, context.Path(context[root]), TextSpan.Union(context.SpanAt(root), context.SpanAt(i)), recursive: true);
                    }

                    break;
                case "-fprint" or "-fprint0" or "-fls" or "-fprintf" when i + 1 < context.Count:
                    context.File(FileAction.Write, context.Path(context[i + 1]), context.SpanOf(i, i + 1));
                    i += token == "-fprintf" ? 2 : 1;
                    break;
                default:
                    if (FindTakesValue(token))
                    {
                        i++;
                    }

                    break;
            }
        }
    }

    /// <summary>
    /// Runs the command of <c>-exec</c> with <c>{}</c> standing for what find would pass: a file below each search root
    /// (named by <c>-name</c> when given), so that <c>find /models -name '*.gguf' -exec cp {} /tmp \;</c> is a copy of
    /// <c>/models/**/*.gguf</c>, not of a file literally called <c>{}</c>.
    /// </summary>
    private static void RunFindExec(in ProgramContext context, List<int> roots, string? namePattern, int start, int end, string token)
    {
        var via = context.ViaThen("find " + token);
        var inner = context.Inner(start, end, via);
        var hasPlaceholder = false;
        foreach (var argument in inner.Arguments)
        {
            hasPlaceholder |= argument.Contains("{}", StringComparison.Ordinal);
        }

        if (!hasPlaceholder && !inner.Program.Contains("{}", StringComparison.Ordinal))
        {
            context.Host.AnalyzeInvocation(inner);
            return;
        }

        var rootPaths = new List<string>();
        foreach (var r in roots)
        {
            rootPaths.Add(context[r]);
        }

        if (rootPaths.Count == 0)
        {
            rootPaths.Add(".");
        }

        foreach (var root in rootPaths)
        {
            var found = root.TrimEnd('/') + "/**/" + (namePattern ?? "*");
            var arguments = new string[inner.Arguments.Count];
            for (var a = 0; a < arguments.Length; a++)
            {
                arguments[a] = inner.Arguments[a].Replace("{}", found, StringComparison.Ordinal);
            }

            context.Host.AnalyzeInvocation(new CommandInvocation
            {
                Program = inner.Program.Replace("{}", found, StringComparison.Ordinal),
                Arguments = arguments,
                ArgumentSpans = inner.ArgumentSpans,
                Span = inner.Span,
                ProgramSpan = inner.ProgramSpan,
                Source = inner.Source,
                WorkingDirectory = inner.WorkingDirectory,
                Detached = inner.Detached,
                DetachedBy = inner.DetachedBy,
                Via = inner.Via,
                Depth = inner.Depth,
                StdinFile = inner.StdinFile,
                StdinText = inner.StdinText,
                StdinFromPipe = inner.StdinFromPipe,
                StdoutToPipe = inner.StdoutToPipe,
            });
        }
    }

    private static bool IsFindExpressionStart(string arg) =>
        (arg.Length > 1 && arg[0] == '-') || arg is "(" or "!" or ")" or ",";

    private static bool FindTakesValue(string token) => token is "-name" or "-iname" or "-path" or "-ipath" or "-wholename" or "-iwholename"
        or "-regex" or "-iregex" or "-type" or "-xtype" or "-size" or "-perm" or "-user" or "-group" or "-uid" or "-gid" or "-mtime" or "-mmin"
        or "-atime" or "-amin" or "-ctime" or "-cmin" or "-maxdepth" or "-mindepth" or "-links" or "-inum" or "-samefile" or "-fstype" or "-lname"
        or "-ilname" or "-context" or "-used" or "-printf" or "-files0-from" or "-regextype"
        || token.StartsWith("-newer", StringComparison.Ordinal) || token is "-anewer" or "-cnewer";

    private static void Parallel(in ProgramContext context)
    {
        var parsed = OptionParser.Parse(context.Args, s_parallel);
        var start = parsed.RestIndex;
        var separator = -1;
        for (var i = Math.Max(start, 0); i < context.Count; i++)
        {
            if (context[i] is ":::" or "::::" or ":::+" or "::::+")
            {
                separator = i;
                break;
            }
        }

        var end = separator >= 0 ? separator : context.Count;
        string? commandText = null;
        if (start >= 0 && start < end)
        {
            commandText = context.Join(start, end);
            if (end - start == 1 && context[start].AsSpan().IndexOfAny(' ', '\t') >= 0)
            {
                context.Shell(context[start], context.SpanAt(start), "parallel");
            }
            else
            {
                context.RunInner(start, "parallel", end: end);
            }
        }
        else if (separator >= 0 && context[separator] == ":::")
        {
            for (var i = separator + 1; i < context.Count && context[i] is not (":::" or "::::" or ":::+" or "::::+"); i++)
            {
                context.Shell(context[i], context.SpanAt(i), "parallel");
            }
        }
        else
        {
            context.Launch();
            if (context.Invocation.StdinFromPipe || context.Invocation.StdinText is not null)
            {
                context.Opaque("shell", "parallel runs commands read from standard input", context.Whole);
            }
        }

        foreach (var option in parsed.Options)
        {
            if (option.Name == "S" && option.Value is { } logins)
            {
                foreach (var login in logins.Split(','))
                {
                    var trimmed = login.Trim();
                    if (trimmed.Length > 0 && trimmed != ":" && trimmed != "..")
                    {
                        var slash = trimmed.IndexOf('/', StringComparison.Ordinal);
                        NetworkAddresses.ParseAuthority(slash >= 0 ? trimmed.AsSpan(slash + 1) : trimmed, out var host, out _);
                        context.Remote("parallel -S", host, commandText, context.SpanOf(option));
                    }
                }
            }
        }
    }

    private static void Watch(in ProgramContext context)
    {
        var parsed = OptionParser.Parse(context.Args, s_watch);
        var start = parsed.RestIndex;
        if (start < 0 || start >= context.Count)
        {
            context.Launch();
            return;
        }

        if (parsed.Has("x"))
        {
            context.RunInner(start, "watch");
            return;
        }

        context.Shell(context.Join(start), context.SpanOf(start, context.Count - 1), "watch");
    }

    private static void Script(in ProgramContext context)
    {
        var parsed = OptionParser.Parse(context.Args, s_script);
        if (parsed.Last("c") is { Value: { } command } option)
        {
            context.Shell(command, context.SpanAt(option.ValueIndex), "script -c");
            return;
        }

        context.Launch();
        ShellFromStdin(context, "script");
    }

    private static void Busybox(in ProgramContext context)
    {
        if (context.Count == 0 || context[0].StartsWith('-'))
        {
            context.Launch();
            return;
        }

        context.RunInner(0, context.Name);
    }

    private static void Sg(in ProgramContext context)
    {
        if (context.Count < 2)
        {
            context.Launch();
            return;
        }

        var start = context[1] == "-c" ? 2 : 1;
        if (start >= context.Count)
        {
            context.Launch();
            return;
        }

        context.Shell(context.Join(start), context.SpanOf(start, context.Count - 1), "sg");
    }

    private static void MpiRun(in ProgramContext context)
    {
        for (var i = 0; i < context.Count; i++)
        {
            var arg = context[i];
            if (arg == "--")
            {
                i++;
                if (i < context.Count)
                {
                    context.RunInner(i, context.Name);
                }

                return;
            }

            if (!arg.StartsWith('-'))
            {
                context.RunInner(i, context.Name);
                return;
            }

            if (arg.Contains('=', StringComparison.Ordinal))
            {
                continue;
            }

            switch (arg.TrimStart('-'))
            {
                case "mca" or "gmca" or "genv" or "x-pair":
                    i += 2;
                    break;
                case "np" or "n" or "c" or "H" or "host" or "hostfile" or "machinefile" or "x" or "wdir" or "wd" or "map-by" or "bind-to" or "rank-by" or "ppn"
                    or "N" or "npernode" or "npersocket" or "env" or "prefix" or "path" or "output-filename" or "tag-output-as" or "iface" or "launcher" or "f" or "hosts" or "bootstrap" or "rankfile":
                    i++;
                    break;
            }
        }

        context.Launch();
    }

    /// <summary>A wrapper whose inner command starts after its options and <see cref="SkipOperands"/> operands.</summary>
    private sealed record GenericWrapper(OptionSpec Options, int SkipOperands, string? DetachedBy, params string[] Names);
}
