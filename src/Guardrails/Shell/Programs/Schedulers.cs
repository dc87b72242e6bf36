namespace Guardrails.Shell.Programs;

/// <summary>Schedulers and services: crontab, systemctl, service, launchctl, schtasks, update-rc.d, chkconfig, rc-update, loginctl.</summary>
internal static class Schedulers
{
    private static readonly OptionSpec s_crontab = new(shortValues: "un");

    private static readonly OptionSpec s_systemctl = new(
        shortValues: "HMtspon",
        longValues: ["host", "machine", "type", "signal", "property", "output", "lines", "kill-whom", "kill-value", "root", "job-mode", "state", "what", "timestamp", "image", "preset-mode", "message", "drop-in", "when", "reboot-argument", "boot-loader-entry", "boot-loader-menu", "check-inhibitors", "legend", "image-policy"],
        longFlags: ["user", "system", "global", "now", "quiet", "no-block", "force", "runtime", "wait", "no-pager", "all", "full", "no-reload", "no-ask-password", "show-types", "failed", "plain", "recursive", "reverse", "after", "before", "dry-run", "firmware-setup", "no-wall", "no-warn", "value", "show-transaction"],
        aliases: ["signal=s", "host=H", "machine=M", "type=t", "property=p", "output=o", "lines=n", "quiet=q", "force=f", "all=a", "full=l", "recursive=r"],
        abbreviations: true);

    private static readonly OptionSpec s_launchctl = new(shortValues: "SDlpoe");

    public static void Register(ProgramTableBuilder table)
    {
        table.Add(Crontab, "crontab");
        table.Add(Systemctl, "systemctl");
        table.Add(Service, "service");
        table.Add(Launchctl, "launchctl");
        table.Add(Schtasks, "schtasks");
        table.Add(UpdateRcD, "update-rc.d");
        table.Add(Chkconfig, "chkconfig");
        table.Add(RcUpdate, "rc-update");
        table.Add(Loginctl, "loginctl");
    }

    private static void Crontab(in ProgramContext context)
    {
        var parsed = OptionParser.Parse(context.Args, s_crontab);
        if (parsed.Has("l") || parsed.Has("r") || parsed.Has("c") || parsed.Has("V") || parsed.Has("T"))
        {
            return;
        }

        if (parsed.Has("e"))
        {
            context.Schedule("cron", null, null, context.Whole);
            return;
        }

        var file = parsed.OperandCount > 0 && parsed.Operand(0) != "-" ? parsed.Operand(0) : null;
        if (file is not null)
        {
            context.Schedule("cron", null, context.Path(file), context.SpanAt(parsed.Operands[0]));
            return;
        }

        var invocation = context.Invocation;
        if (invocation.StdinText is { } text)
        {
            context.Schedule("cron", text, null, context.Whole);
            var runner = context.Copy("cron", inheritStdin: false);
            foreach (var line in text.Split('\n'))
            {
                if (CronCommand(line) is { Length: > 0 } command)
                {
                    context.Shell(command, context.Whole, "crontab", runner);
                }
            }

            return;
        }

        context.Schedule("cron", null, invocation.StdinFile, context.Whole);
        if (invocation.StdinFile is null && invocation.StdinFromPipe)
        {
            context.Opaque("shell", "crontab entries are read from a pipe whose content is not known", context.Whole);
        }
    }

    /// <summary>Gets the command part of a crontab line (after the five time fields or an <c>@reboot</c>-style keyword), or <see langword="null"/> for comments, blank lines and variable assignments.</summary>
    internal static string? CronCommand(string line)
    {
        var text = line.AsSpan().Trim();
        if (text.IsEmpty || text[0] == '#')
        {
            return null;
        }

        var eq = text.IndexOf('=');
        if (eq > 0 && text[..eq].TrimEnd().IndexOfAny(' ', '\t') < 0 && !char.IsAsciiDigit(text[0]) && text[0] != '*' && text[0] != '@')
        {
            return null;
        }

        var fields = text[0] == '@' ? 1 : 5;
        for (var f = 0; f < fields; f++)
        {
            var space = text.IndexOfAny(' ', '\t');
            if (space < 0)
            {
                return null;
            }

            text = text[space..].TrimStart();
        }

        var percent = -1;
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == '%' && (i == 0 || text[i - 1] != '\\'))
            {
                percent = i;
                break;
            }
        }

        if (percent >= 0)
        {
            text = text[..percent];
        }

        return text.Trim().ToString();
    }

    private static void Systemctl(in ProgramContext context)
    {
        var parsed = OptionParser.Parse(context.Args, s_systemctl);
        if (parsed.OperandCount == 0)
        {
            return;
        }

        var verb = parsed.Operand(0);
        var count = parsed.OperandCount;
        var units = new string[count - 1];
        string? unitPath = null;
        for (var k = 1; k < count; k++)
        {
            units[k - 1] = parsed.Operand(k);
            if (unitPath is null && parsed.Operand(k).Contains('/', StringComparison.Ordinal))
            {
                unitPath = context.Path(parsed.Operand(k));
            }
        }

        var span = context.OperandSpan(parsed, 0, count);
        switch (verb)
        {
            case "enable" or "reenable" or "link" or "preset" or "add-wants" or "add-requires" or "set-default" or "edit":
                context.Schedule("systemd", units.Length == 0 ? null : string.Join(' ', units), unitPath, span);
                if (parsed.Has("now") && verb is "enable" or "reenable")
                {
                    StartUnits(context, parsed, units, "systemctl");
                }

                break;
            case "start" or "restart" or "reload-or-restart" or "try-restart" or "try-reload-or-restart" or "condrestart" or "force-reload":
                StartUnits(context, parsed, units, "systemctl");
                break;
            case "stop" or "kill" or "disable" or "mask":
                if (units.Length > 0)
                {
                    context.Signal(parsed.Value("s") ?? "TERM", units, span);
                }

                break;
        }
    }

    private static void StartUnits(in ProgramContext context, ParsedArguments parsed, string[] units, string detachedBy)
    {
        for (var k = 0; k < units.Length; k++)
        {
            context.LaunchOther(units[k], [], context.SpanAt(parsed.Operands[k + 1]), detachedBy);
        }
    }

    private static void Service(in ProgramContext context)
    {
        if (context.Count < 2 || context[0].StartsWith('-'))
        {
            return;
        }

        var name = context[0];
        switch (context[1])
        {
            case "start" or "restart" or "force-reload" or "try-restart" or "reload-or-restart" or "condrestart":
                context.LaunchOther(name, [], context.SpanOf(0, 1), "service");
                break;
            case "stop":
                context.Signal("TERM", [name], context.SpanOf(0, 1));
                break;
        }
    }

    private static void Launchctl(in ProgramContext context)
    {
        if (context.Count == 0)
        {
            return;
        }

        var verb = context[0];
        var parsed = OptionParser.Parse(context.Args, s_launchctl, 1);
        switch (verb)
        {
            case "load" or "bootstrap":
                var first = verb == "bootstrap" ? 1 : 0;
                for (var k = first; k < parsed.OperandCount; k++)
                {
                    context.Schedule("launchd", null, context.Path(parsed.Operand(k)), context.SpanAt(parsed.Operands[k]));
                }

                break;
            case "submit":
                var start = parsed.DoubleDashIndex >= 0 ? parsed.DoubleDashIndex + 1 : -1;
                var program = parsed.Value("p");
                var command = start >= 0 && start < context.Count ? context.Join(start) : program;
                context.Schedule("launchd", command, null, context.Whole);
                if (start >= 0 && start < context.Count)
                {
                    context.RunInner(start, "launchctl submit", "launchctl");
                }

                break;
            case "enable":
                if (parsed.OperandCount > 0)
                {
                    context.Schedule("launchd", parsed.Operand(0), null, context.SpanAt(parsed.Operands[0]));
                }

                break;
            case "start" or "kickstart":
                for (var k = 0; k < parsed.OperandCount; k++)
                {
                    context.LaunchOther(parsed.Operand(k), [], context.SpanAt(parsed.Operands[k]), "launchctl");
                }

                break;
            case "unload" or "bootout" or "remove" or "stop" or "disable":
                var targets = new List<string>();
                for (var k = 0; k < parsed.OperandCount; k++)
                {
                    var operand = parsed.Operand(k);
                    targets.Add(operand.EndsWith(".plist", StringComparison.Ordinal) ? context.Path(operand) : operand);
                }

                if (targets.Count > 0)
                {
                    context.Signal("TERM", targets, context.OperandSpan(parsed, 0, parsed.OperandCount));
                }

                break;
            case "kill" when parsed.OperandCount >= 2:
                context.Signal(parsed.Operand(0), [parsed.Operand(1)], context.OperandSpan(parsed, 0, 2));
                break;
        }
    }

    private static void Schtasks(in ProgramContext context)
    {
        string? verb = null;
        string? taskName = null;
        string? taskRun = null;
        string? xml = null;
        var span = context.Whole;
        for (var i = 0; i < context.Count; i++)
        {
            var arg = context[i];
            if (arg.Length < 2 || (arg[0] != '/' && arg[0] != '-'))
            {
                continue;
            }

            var key = arg[1..].ToLowerInvariant();
            switch (key)
            {
                case "create" or "run" or "end" or "delete" or "change" or "query":
                    verb = key;
                    break;
                case "tn" when i + 1 < context.Count:
                    taskName = context[++i];
                    break;
                case "tr" when i + 1 < context.Count:
                    taskRun = context[++i];
                    span = context.SpanOf(i - 1, i);
                    break;
                case "xml" when i + 1 < context.Count:
                    xml = context[++i];
                    break;
                case "sc" or "mo" or "st" or "ru" or "rp" or "s" or "u" or "p" or "d" or "m" or "i" or "sd" or "ed" or "et" or "du" or "ri" or "rl" or "it" or "hresult" or "fo":
                    i++;
                    break;
            }
        }

        switch (verb)
        {
            case "create" or "change" when taskRun is not null || xml is not null:
                context.Schedule("schtasks", taskRun, xml is null ? null : context.Path(xml), span);
                break;
            case "run" when taskName is not null:
                context.LaunchOther(taskName, [], context.Whole, "schtasks");
                break;
            case "end" when taskName is not null:
                context.Signal("TERM", [taskName], context.Whole);
                break;
        }
    }

    private static void UpdateRcD(in ProgramContext context)
    {
        var operands = new List<int>();
        for (var i = 0; i < context.Count; i++)
        {
            if (!context[i].StartsWith('-'))
            {
                operands.Add(i);
            }
        }

        if (operands.Count >= 2 && context[operands[1]] is "defaults" or "enable" or "start" or "defaults-disabled")
        {
            context.Schedule("init", context[operands[0]], null, context.SpanOf(operands[0], operands[1]));
        }
    }

    private static void Chkconfig(in ProgramContext context)
    {
        string? name = null;
        var enable = false;
        var span = context.Whole;
        for (var i = 0; i < context.Count; i++)
        {
            var arg = context[i];
            if (arg == "--add" && i + 1 < context.Count)
            {
                name = context[++i];
                enable = true;
                span = context.SpanOf(i - 1, i);
            }
            else if (arg == "--level" && i + 1 < context.Count)
            {
                i++;
            }
            else if (!arg.StartsWith('-'))
            {
                if (name is null)
                {
                    name = arg;
                    span = context.SpanAt(i);
                }
                else if (arg is "on" or "reset")
                {
                    enable = true;
                    span = TextSpan.Union(span, context.SpanAt(i));
                }
            }
        }

        if (enable && name is not null)
        {
            context.Schedule("init", name, null, span);
        }
    }

    private static void RcUpdate(in ProgramContext context)
    {
        if (context.Count >= 2 && context[0] == "add")
        {
            context.Schedule("init", context[1], null, context.SpanOf(0, 1));
        }
    }

    private static void Loginctl(in ProgramContext context)
    {
        for (var i = 0; i < context.Count; i++)
        {
            if (context[i] == "enable-linger")
            {
                var user = i + 1 < context.Count ? context[i + 1] : null;
                context.Schedule("systemd", user is null ? "enable-linger" : "enable-linger " + user, null, context.SpanOf(i, Math.Min(i + 1, context.Count - 1)));
                return;
            }
        }
    }
}
