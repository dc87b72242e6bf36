using System.Collections.Frozen;

namespace Guardrails.Shell.Programs;

/// <summary>Processes and signals: kill, pkill, killall, trap, disown, screen, tmux, systemd-run, at, daemonize, start-stop-daemon.</summary>
internal static class ProcessTools
{
    private static readonly FrozenSet<string> s_signalNames = FrozenSet.Create(
        StringComparer.OrdinalIgnoreCase,
        "HUP", "INT", "QUIT", "ILL", "TRAP", "ABRT", "IOT", "BUS", "FPE", "KILL", "USR1", "SEGV", "USR2", "PIPE", "ALRM", "TERM", "STKFLT", "CHLD",
        "CLD", "CONT", "STOP", "TSTP", "TTIN", "TTOU", "URG", "XCPU", "XFSZ", "VTALRM", "PROF", "WINCH", "IO", "POLL", "PWR", "SYS", "RTMIN", "RTMAX",
        "EXIT", "ERR", "DEBUG", "RETURN");

    private static readonly OptionSpec s_pkill = new(
        shortValues: "gGPstuUFOq",
        longValues: ["signal", "pgroup", "group", "parent", "session", "terminal", "euid", "uid", "pidfile", "ns", "nslist", "older", "queue", "cgroup", "env"],
        longFlags: ["full", "exact", "newest", "oldest", "echo", "ignore-case", "count", "inverse", "logpidfile", "require-handler"],
        aliases: ["full=f", "exact=x", "euid=u", "uid=U", "pidfile=F"]);

    private static readonly OptionSpec s_killall = new(
        shortValues: "suoyZ",
        longValues: ["signal", "user", "older-than", "younger-than", "context", "ns"],
        longFlags: ["exact", "ignore-case", "process-group", "interactive", "quiet", "regexp", "verbose", "wait"],
        aliases: ["signal=s", "user=u", "regexp=r"]);

    private static readonly OptionSpec s_tmuxGlobal = new(shortValues: "cfLST", stopAtFirstOperand: true);

    private static readonly OptionSpec s_tmuxNewSession = new(shortValues: "cefFnstxy", stopAtFirstOperand: true);

    private static readonly OptionSpec s_tmuxNewWindow = new(shortValues: "cefFnt", stopAtFirstOperand: true);

    private static readonly OptionSpec s_tmuxSplitWindow = new(shortValues: "celFpt", stopAtFirstOperand: true);

    private static readonly OptionSpec s_tmuxRespawn = new(shortValues: "cet", stopAtFirstOperand: true);

    private static readonly OptionSpec s_tmuxSendKeys = new(shortValues: "Nt");

    private static readonly OptionSpec s_tmuxRunShell = new(shortValues: "dtc", stopAtFirstOperand: true);

    private static readonly OptionSpec s_systemdRun = new(
        shortValues: "upEHM",
        longValues: ["unit", "property", "description", "slice", "on-active", "on-boot", "on-startup", "on-unit-active", "on-unit-inactive", "on-calendar", "timer-property", "path-property", "socket-property", "setenv", "uid", "gid", "working-directory", "nice", "service-type", "host", "machine", "json", "background"],
        longOptional: ["expand-environment"],
        longFlags: ["user", "system", "scope", "same-dir", "pty", "pipe", "quiet", "collect", "remain-after-exit", "wait", "no-block", "no-ask-password", "send-sighup", "shell", "on-clock-change", "on-timezone-change", "ignore-failure", "slice-inherit"],
        aliases: ["unit=u", "property=p", "setenv=E", "host=H", "machine=M", "same-dir=d", "pty=t", "pipe=P", "quiet=q", "collect=G", "remain-after-exit=r", "shell=S"],
        stopAtFirstOperand: true,
        abbreviations: true);

    private static readonly OptionSpec s_at = new(shortValues: "qft");

    private static readonly OptionSpec s_daemonize = new(shortValues: "ceEloptu", stopAtFirstOperand: true);

    private static readonly OptionSpec s_startStopDaemon = new(
        shortValues: "xanpucgrdsRNPIkO",
        longValues: ["exec", "startas", "name", "pidfile", "user", "chuid", "group", "chroot", "chdir", "signal", "retry", "nicelevel", "procsched", "iosched", "umask", "output", "notify-timeout", "ppid"],
        longFlags: ["start", "stop", "status", "background", "make-pidfile", "remove-pidfile", "oknodo", "quiet", "verbose", "test", "no-close", "notify-await"],
        aliases: ["exec=x", "startas=a", "name=n", "pidfile=p", "chdir=d", "signal=s", "background=b", "start=S", "stop=K", "status=T", "make-pidfile=m", "user=u", "chuid=c"]);

    public static void Register(ProgramTableBuilder table)
    {
        table.Add(Kill, "kill");
        table.Add(PkillOrKillall, "pkill", "killall", "killall5", "skill");
        table.Add(Trap, "trap");
        table.AddManual(static (in ProgramContext _) => { }, "disown");
        table.AddManual(Screen, "screen");
        table.AddManual(Tmux, "tmux");
        table.Add(SystemdRun, "systemd-run");
        table.Add(At, "at", "batch");
        table.AddManual(Daemonize, "daemonize");
        table.AddManual(StartStopDaemon, "start-stop-daemon");
    }

    /// <summary>Gets a value indicating whether <paramref name="text"/> (after the dash) names a signal: a number or a signal name with or without <c>SIG</c>.</summary>
    internal static bool IsSignal(ReadOnlySpan<char> text)
    {
        if (text.IsEmpty)
        {
            return false;
        }

        var digits = true;
        foreach (var c in text)
        {
            digits &= char.IsAsciiDigit(c);
        }

        if (digits)
        {
            return true;
        }

        if (text.StartsWith("SIG", StringComparison.OrdinalIgnoreCase))
        {
            text = text[3..];
        }

        var plus = text.IndexOfAny('+', '-');
        if (plus > 0)
        {
            text = text[..plus];
        }

        return s_signalNames.GetAlternateLookup<ReadOnlySpan<char>>().Contains(text);
    }

    private static void Kill(in ProgramContext context)
    {
        string? signal = null;
        var signalIndex = -1;
        var targets = new List<int>();
        for (var i = 0; i < context.Count; i++)
        {
            var arg = context[i];
            if (arg == "--")
            {
                for (var j = i + 1; j < context.Count; j++)
                {
                    targets.Add(j);
                }

                break;
            }

            if (signal is null && targets.Count == 0 && arg.Length > 1 && arg[0] == '-')
            {
                if (arg is "-l" or "-L" or "--list" or "--table" || arg.StartsWith("--list=", StringComparison.Ordinal))
                {
                    return;
                }

                signalIndex = i;
                if (arg is "-s" or "-n" or "--signal" && i + 1 < context.Count)
                {
                    signal = context[++i];
                }
                else if (arg.StartsWith("--signal=", StringComparison.Ordinal))
                {
                    signal = arg[9..];
                }
                else
                {
                    signal = arg[1..];
                }

                continue;
            }

            targets.Add(i);
        }

        if (targets.Count == 0)
        {
            return;
        }

        var names = new string[targets.Count];
        for (var k = 0; k < names.Length; k++)
        {
            names[k] = context[targets[k]];
        }

        var first = signalIndex >= 0 ? signalIndex : targets[0];
        context.Signal(signal ?? "TERM", names, context.SpanOf(first, targets[^1]));
    }

    private static void PkillOrKillall(in ProgramContext context)
    {
        var killall = !string.Equals(context.Name, "pkill", StringComparison.Ordinal);
        var spec = killall ? s_killall : s_pkill;
        string? signal = null;
        var signalIndex = -1;
        for (var i = 0; i < context.Count; i++)
        {
            var arg = context[i];
            if (arg.Length > 1 && arg[0] == '-' && arg[1] != '-' && IsSignal(arg.AsSpan(1)) && !(killall && arg == "-s"))
            {
                signal = arg[1..];
                signalIndex = i;
                break;
            }

            if (arg.Length == 0 || arg[0] != '-' || arg == "--")
            {
                break;
            }
        }

        ParsedArguments parsed;
        if (signalIndex >= 0)
        {
            parsed = OptionParser.Parse(context.Args, spec, 0, signalIndex);
            OptionParser.ParseInto(parsed, spec, signalIndex + 1);
        }
        else
        {
            parsed = OptionParser.Parse(context.Args, spec);
        }

        signal = (killall ? parsed.Value("s") : null) ?? parsed.Value("signal") ?? signal;
        var targets = new List<string>();
        for (var k = 0; k < parsed.OperandCount; k++)
        {
            targets.Add(parsed.Operand(k));
        }

        if (targets.Count == 0)
        {
            if (parsed.Value("u") is { } user)
            {
                targets.Add("user:" + user);
            }
            else if (parsed.Value("U") is { } uid)
            {
                targets.Add("user:" + uid);
            }
            else if (parsed.Value("F") is { } pidFile)
            {
                targets.Add("pidfile:" + context.Path(pidFile));
            }
        }

        if (targets.Count == 0)
        {
            return;
        }

        var span = parsed.OperandCount > 0 ? context.OperandSpan(parsed, 0, parsed.OperandCount, signalIndex) : context.Whole;
        context.Signal(signal ?? "TERM", targets, span);
    }

    private static void Trap(in ProgramContext context)
    {
        var start = 0;
        if (context.Count > 0 && context[0] == "--")
        {
            start = 1;
        }

        if (context.Count <= start || context[start] is "-l" or "-p" or "-P" or "-lp")
        {
            return;
        }

        string? handler;
        int firstSignal;
        if (context.Count - start == 1 || IsUnsigned(context[start]))
        {
            handler = null;
            firstSignal = start;
        }
        else
        {
            handler = context[start] == "-" ? null : context[start];
            firstSignal = start + 1;
        }

        var signals = new string[context.Count - firstSignal];
        for (var i = firstSignal; i < context.Count; i++)
        {
            signals[i - firstSignal] = context[i];
        }

        context.Add(new Actions.SignalTrap(signals, handler)
        {
            Source = context.Source,
            Span = context.Whole,
            Via = context.Via,
        });

        if (handler is { Length: > 0 })
        {
            context.Shell(handler, context.SpanAt(start), "trap");
            foreach (var signal in signals)
            {
                if (signal.ToUpperInvariant() is "DEBUG" or "RETURN" or "ERR" or "SIGRTMIN")
                {
                    // Like PROMPT_COMMAND: the handler runs again around every later command, with that command in
                    // $BASH_COMMAND, so what it does depends on commands not known yet.
                    context.Opaque("shell", $"a {signal.ToUpperInvariant()} trap runs its handler around every later command", context.Whole);
                    break;
                }
            }
        }
    }

    private static bool IsUnsigned(string text)
    {
        if (text.Length == 0)
        {
            return false;
        }

        foreach (var c in text)
        {
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }
        }

        return true;
    }

    private static void Screen(in ProgramContext context)
    {
        var detach = false;
        var make = false;
        var commandStart = -1;
        for (var i = 0; i < context.Count; i++)
        {
            var arg = context[i];
            if (arg.Length < 2 || arg[0] != '-')
            {
                commandStart = i;
                break;
            }

            if (arg == "--")
            {
                commandStart = i + 1;
                break;
            }

            if (arg is "-Logfile" or "-logfile")
            {
                i++;
                continue;
            }

            if (arg is "-ls" or "-list" or "-wipe")
            {
                context.Launch();
                return;
            }

            if (arg == "-X")
            {
                context.Launch();
                ScreenCommand(context, i + 1);
                return;
            }

            for (var j = 1; j < arg.Length; j++)
            {
                var c = arg[j];
                if (c is 'd' or 'D')
                {
                    detach = true;
                }
                else if (c == 'm')
                {
                    make = true;
                }
                else if ("cehpsStT".Contains(c, StringComparison.Ordinal))
                {
                    if (j + 1 == arg.Length)
                    {
                        i++;
                    }

                    break;
                }
            }
        }

        var detachedBy = detach && make ? "screen" : null;
        context.Launch(detachedBy: detachedBy);
        if (commandStart >= 0 && commandStart < context.Count)
        {
            context.RunInner(commandStart, "screen", detachedBy);
        }
    }

    /// <summary>Handles <c>screen -X stuff 'cmd\n'</c> and <c>screen -X exec cmd …</c>: commands typed into a (detached) session.</summary>
    private static void ScreenCommand(in ProgramContext context, int start)
    {
        if (start >= context.Count)
        {
            return;
        }

        var runner = context.Copy("screen", inheritStdin: false);
        if (context[start] == "stuff" && start + 1 < context.Count)
        {
            var text = context[start + 1].Replace("^M", "\n", StringComparison.Ordinal).Replace("\\n", "\n", StringComparison.Ordinal).Replace("\\r", "\n", StringComparison.Ordinal).Replace('\r', '\n');
            context.Shell(text, context.SpanAt(start + 1), "screen -X stuff", runner);
        }
        else if (context[start] is "exec" or "screen" && start + 1 < context.Count)
        {
            context.Shell(context.Join(start + 1), context.SpanOf(start + 1, context.Count - 1), "screen -X " + context[start], runner);
        }
    }

    private static void Tmux(in ProgramContext context)
    {
        var global = OptionParser.Parse(context.Args, s_tmuxGlobal);
        if (global.Last("c") is { Value: { } shellCommand } shellOption)
        {
            context.Launch();
            context.Shell(shellCommand, context.SpanOf(shellOption), "tmux -c");
            return;
        }

        var start = global.RestIndex;
        var detachedSession = false;
        var runner = context.Copy("tmux", inheritStdin: false);
        var segments = new List<(int Start, int End)>();
        if (start >= 0)
        {
            var segmentStart = start;
            for (var i = start; i <= context.Count; i++)
            {
                if (i == context.Count || context[i] == ";")
                {
                    if (i > segmentStart)
                    {
                        segments.Add((segmentStart, i));
                    }

                    segmentStart = i + 1;
                }
            }
        }

        foreach (var (s, e) in segments)
        {
            if (context[s] is "new-session" or "new")
            {
                detachedSession |= OptionParser.Parse(context.Args, s_tmuxNewSession, s + 1, e).Has("d");
            }
        }

        context.Launch(detachedBy: detachedSession ? "tmux" : null);
        foreach (var (s, e) in segments)
        {
            TmuxCommand(context, s, e, runner);
        }
    }

    private static void TmuxCommand(in ProgramContext context, int start, int end, CommandInvocation runner)
    {
        OptionSpec? spec = context[start] switch
        {
            "new-session" or "new" => s_tmuxNewSession,
            "new-window" or "neww" => s_tmuxNewWindow,
            "split-window" or "splitw" => s_tmuxSplitWindow,
            "respawn-pane" or "respawnp" or "respawn-window" or "respawnw" => s_tmuxRespawn,
            "run-shell" or "run" or "if-shell" or "if" or "pipe-pane" or "pipep" => s_tmuxRunShell,
            _ => null,
        };

        if (context[start] is "send-keys" or "send")
        {
            var keys = OptionParser.Parse(context.Args, s_tmuxSendKeys, start + 1, end);
            if (keys.OperandCount == 0)
            {
                return;
            }

            var text = new System.Text.StringBuilder();
            foreach (var index in keys.Operands)
            {
                text.Append(context[index] switch
                {
                    "Enter" or "C-m" or "KPEnter" or "C-j" => "\n",
                    "Space" => " ",
                    "Tab" => "\t",
                    "C-c" or "C-d" or "C-z" or "Escape" or "BSpace" => "\n",
                    _ => context[index],
                });
            }

            context.Shell(text.ToString(), context.OperandSpan(keys, 0, keys.OperandCount), "tmux send-keys", runner);
            return;
        }

        if (spec is null)
        {
            return;
        }

        var parsed = OptionParser.Parse(context.Args, spec, start + 1, end);
        if (parsed.OperandCount == 0)
        {
            return;
        }

        var first = parsed.Operands[0];
        var last = parsed.Operands[^1];
        var command = context[start] is "if-shell" or "if" ? context[first] : context.Join(first, last + 1);
        var span = context[start] is "if-shell" or "if" ? context.SpanAt(first) : context.SpanOf(first, last);
        context.Shell(command, span, "tmux " + context[start], runner);
    }

    private static void SystemdRun(in ProgramContext context)
    {
        var parsed = OptionParser.Parse(context.Args, s_systemdRun);
        var start = parsed.RestIndex;
        var hasCommand = start >= 0 && start < context.Count;
        var command = hasCommand ? context.Join(start) : null;
        var span = hasCommand ? context.SpanOf(start, context.Count - 1) : context.Whole;
        context.Schedule("systemd-run", command, null, span);
        if (!hasCommand)
        {
            return;
        }

        if (parsed.Value("H") is { } remoteHost)
        {
            context.Remote("systemd-run -H", remoteHost, command, span);
        }

        var workingDirectory = parsed.Value("working-directory") is { } directory ? context.Path(directory) : null;
        context.RunInner(start, "systemd-run", "systemd-run", workingDirectory);
    }

    private static void At(in ProgramContext context)
    {
        var parsed = OptionParser.Parse(context.Args, s_at);
        if (parsed.Has("l") || parsed.Has("r") || parsed.Has("d") || parsed.Has("c"))
        {
            return;
        }

        var fileOption = parsed.Last("f");
        var path = fileOption?.Value is { } file ? context.Path(file) : context.Invocation.StdinFile;
        var command = fileOption is null ? context.Invocation.StdinText : null;
        context.Schedule("at", command, path, fileOption is { } f ? context.SpanOf(f) : context.Whole);
        if (command is not null)
        {
            context.Shell(command, context.Whole, context.Name, context.Copy("at", inheritStdin: false));
        }
        else if (path is null && context.Invocation.StdinFromPipe)
        {
            context.Opaque("shell", "an at job is read from a pipe whose content is not known", context.Whole);
        }
    }

    private static void Daemonize(in ProgramContext context)
    {
        var parsed = OptionParser.Parse(context.Args, s_daemonize);
        foreach (var option in parsed.Options)
        {
            if (option.Name == "E" && option.Value is { } assignment && assignment.IndexOf('=', StringComparison.Ordinal) is var eq and > 0)
            {
                context.Environment(assignment[..eq], assignment[(eq + 1)..], context.SpanOf(option));
            }
        }

        var start = parsed.RestIndex;
        if (start < 0 || start >= context.Count)
        {
            context.Launch();
            return;
        }

        var directory = parsed.Value("c") is { } c ? context.Path(c) : null;
        context.RunInner(start, "daemonize", "daemonize", directory);
    }

    private static void StartStopDaemon(in ProgramContext context)
    {
        var parsed = OptionParser.Parse(context.Args, s_startStopDaemon);
        if (parsed.Has("K"))
        {
            context.Launch();
            var targets = new List<string>();
            foreach (var name in (ReadOnlySpan<string>)["n", "x", "p"])
            {
                if (parsed.Value(name) is { } value)
                {
                    targets.Add(name == "n" ? value : context.Path(value));
                }
            }

            if (targets.Count > 0)
            {
                context.Signal(parsed.Value("s") ?? "TERM", targets, context.Whole);
            }

            return;
        }

        var program = parsed.Last("a") ?? parsed.Last("x");
        if (!parsed.Has("S") || program is not { Value: { } path } programOption)
        {
            context.Launch();
            return;
        }

        var argumentsStart = parsed.DoubleDashIndex >= 0 ? parsed.DoubleDashIndex + 1 : context.Count;
        var directory = parsed.Value("d") is { } d ? context.Path(d) : null;
        context.RunComposed(path, programOption.ValueIndex, argumentsStart, "start-stop-daemon", parsed.Has("b") ? "start-stop-daemon" : null, directory);
    }
}
