namespace Guardrails.Shell.Programs;

/// <summary>
/// Interpreters and launchers: shells (<c>bash -c</c>, scripts, stdin), Python (<c>-c</c>, <c>-m</c>, scripts, stdin),
/// perl/ruby/node/deno/bun/php/lua one-liners, awk, and launchers that run a script or module (uv, torchrun,
/// accelerate, deepspeed, poetry/pipenv/conda run, npx, pipx).
/// </summary>
internal static class Interpreters
{
    private static readonly OptionSpec s_python = new(shortValues: "WX", shortTerminating: "cm", longValues: ["check-hash-based-pycs"], stopAtFirstOperand: true);

    private static readonly OptionSpec s_ruby = new(
        shortValues: "erICE",
        shortOptional: "xiW0FTK",
        longValues: ["encoding", "external-encoding", "internal-encoding"],
        stopAtFirstOperand: true);

    private static readonly OptionSpec s_node = new(
        shortValues: "eprC",
        longValues: ["eval", "print", "require", "import", "loader", "experimental-loader", "input-type", "conditions", "env-file", "title", "stack-size", "max-old-space-size", "experimental-default-type"],
        longOptional: ["inspect", "inspect-brk", "inspect-port", "watch-path"],
        aliases: ["eval=e", "print=p", "require=r"],
        stopAtFirstOperand: true);

    private static readonly OptionSpec s_deno = new(
        shortValues: "cL",
        longValues: ["config", "import-map", "lock", "cert", "location", "seed", "env-file", "ext", "log-level"],
        aliases: ["config=c", "log-level=L"],
        stopAtFirstOperand: true);

    private static readonly OptionSpec s_bun = new(shortValues: "epr", longValues: ["eval", "print", "preload", "cwd", "config", "env-file"], aliases: ["eval=e", "print=p", "preload=r"], stopAtFirstOperand: true);

    private static readonly OptionSpec s_php = new(shortValues: "rfdcStzBRFE", stopAtFirstOperand: true);

    private static readonly OptionSpec s_lua = new(shortValues: "elj", shortOptional: "O", stopAtFirstOperand: true);

    private static readonly OptionSpec s_awk = new(
        shortValues: "FvfeEilW",
        shortOptional: "opdDL",
        longValues: ["field-separator", "assign", "file", "source", "exec", "include", "load"],
        aliases: ["field-separator=F", "assign=v", "file=f", "source=e", "exec=E", "include=i", "load=l"]);

    private static readonly OptionSpec s_uvRun = new(
        shortValues: "pw",
        longValues: ["with", "with-editable", "with-requirements", "python", "package", "extra", "group", "only-group", "env-file", "directory", "project", "index", "index-url", "extra-index-url", "find-links", "config-file", "cache-dir", "python-platform", "from", "default-index", "index-strategy", "keyring-provider", "resolution", "prerelease", "exclude-newer", "link-mode", "compile-bytecode", "refresh-package", "upgrade-package", "reinstall-package", "no-binary-package", "no-build-package", "color"],
        longFlags: ["module", "script", "no-project", "isolated", "frozen", "locked", "no-sync", "all-extras", "no-dev", "quiet", "verbose", "offline", "active", "no-env-file", "gui-script", "exact", "all-packages", "no-editable", "with-inline", "native-tls", "no-cache", "refresh", "upgrade", "reinstall"],
        aliases: ["module=m", "script=s", "python=p", "with=w"],
        stopAtFirstOperand: true);

    private static readonly OptionSpec s_launcher = new(
        shortValues: "rt",
        longFlags: ["module", "standalone", "no-python", "no_python", "run-path", "run_path", "multi_gpu", "multi-gpu", "cpu", "use_deepspeed", "use-deepspeed", "use_fsdp", "use-fsdp", "use_megatron_lm", "quiet", "debug", "tpu", "mps", "autoscaling", "bind_cores_to_rank", "no_local_rank", "enable_each_rank_log", "force_multi", "save_pid", "elastic_training"],
        aliases: ["module=m"],
        stopAtFirstOperand: true,
        unknownLongTakesValue: true);

    private static readonly OptionSpec s_envRunner = new(
        shortValues: "np",
        longValues: ["name", "prefix", "cwd", "environment", "env", "manifest-path", "python", "with", "spec"],
        longFlags: ["no-capture-output", "live-stream", "debug-wrapper-scripts", "frozen", "locked", "verbose", "quiet", "no-root", "no-sync", "no-lock"],
        aliases: ["name=n", "prefix=p"],
        stopAtFirstOperand: true);

    private static readonly OptionSpec s_npx = new(
        shortValues: "pc",
        longValues: ["package", "call", "cache", "registry", "userconfig", "workspace", "spec", "python", "pip-args"],
        longFlags: ["yes", "no", "quiet", "ignore-existing", "workspaces", "include-workspace-root", "verbose", "system-site-packages"],
        aliases: ["package=p", "call=c"],
        stopAtFirstOperand: true);

    public static void Register(ProgramTableBuilder table)
    {
        table.AddManual(Shell, "sh", "bash", "dash", "zsh", "ksh", "mksh", "ash", "fish", "rbash", "yash", "tcsh", "csh", "posh", "oksh", "loksh");
        table.Add(new ProgramEntry(Python, LaunchMode.Manual, VersionSuffix: true), "python", "python2", "python3", "pypy", "pypy3", "python3-dbg", "ipython", "ipython3");
        table.Add(new ProgramEntry(Perl, LaunchMode.Manual, VersionSuffix: true), "perl");
        table.Add(new ProgramEntry(Ruby, LaunchMode.Manual, VersionSuffix: true), "ruby", "jruby", "truffleruby");
        table.Add(new ProgramEntry(Node, LaunchMode.Manual, VersionSuffix: true), "node", "nodejs");
        table.AddManual(Deno, "deno");
        table.AddManual(Bun, "bun");
        table.Add(new ProgramEntry(Php, LaunchMode.Manual, VersionSuffix: true), "php", "php-cli");
        table.Add(new ProgramEntry(Lua, LaunchMode.Manual, VersionSuffix: true), "lua", "luajit");
        table.Add(Awk, "awk", "gawk", "mawk", "nawk", "busybox-awk");
        table.AddManual(Uv, "uv");
        table.AddManual(Uvx, "uvx");
        table.AddManual(Launcher, "torchrun", "deepspeed");
        table.AddManual(Accelerate, "accelerate");
        table.AddManual(EnvironmentRunner, "poetry", "pipenv", "pdm", "rye", "hatch", "conda", "mamba", "micromamba", "pixi");
        table.AddManual(Npx, "npx", "bunx", "pipx", "pnpx");
        table.AddManual(PackageExec, "npm", "pnpm", "yarn");
        table.AddManual(PowerShell, "pwsh", "powershell");
    }

    private static void Shell(in ProgramContext context)
    {
        var command = false;
        var readsStdin = false;
        string? initCode = null;
        var initIndex = -1;
        var i = 0;
        for (; i < context.Count; i++)
        {
            var arg = context[i];
            if (arg is "--" or "-")
            {
                i++;
                break;
            }

            if (arg.Length < 2 || (arg[0] != '-' && arg[0] != '+'))
            {
                break;
            }

            if (arg[1] == '-')
            {
                if (arg is "--rcfile" or "--init-file")
                {
                    i++;
                }
                else if (arg is "--command")
                {
                    command = true;
                }
                else if (arg.StartsWith("--command=", StringComparison.Ordinal))
                {
                    Launch(context);
                    context.Shell(arg[10..], context.SpanAt(i), context.Name + " -c");
                    return;
                }
                else if (arg is "--init-command" && i + 1 < context.Count)
                {
                    initCode = context[++i];
                    initIndex = i;
                }

                continue;
            }

            for (var j = 1; j < arg.Length; j++)
            {
                var c = arg[j];
                if (c == 'c' && arg[0] == '-')
                {
                    command = true;
                }
                else if (c == 's' && arg[0] == '-')
                {
                    readsStdin = true;
                }
                else if (c == 'C' && arg[0] == '-' && string.Equals(context.Name, "fish", StringComparison.Ordinal) && i + 1 < context.Count)
                {
                    initCode = context[++i];
                    initIndex = i;
                    break;
                }
                else if (c is 'o' or 'O')
                {
                    i++;
                    break;
                }
            }
        }

        var firstOperand = i < context.Count ? i : -1;
        if (command)
        {
            Launch(context);
            if (initCode is not null)
            {
                context.Shell(initCode, context.SpanAt(initIndex), context.Name + " -C");
            }

            if (firstOperand >= 0)
            {
                context.Shell(context[firstOperand], context.SpanAt(firstOperand), context.Name + " -c");
            }

            return;
        }

        if (!readsStdin && firstOperand >= 0)
        {
            Launch(context, script: context.Path(context[firstOperand]));
            return;
        }

        var invocation = context.Invocation;
        Launch(context, script: invocation.StdinFile);
        if (invocation.StdinText is { } text)
        {
            context.Shell(text, context.Whole, context.Name, context.Copy(null, inheritStdin: false));
        }
        else if (invocation.StdinFile is null && invocation.StdinFromPipe)
        {
            context.Opaque("shell", "runs a script read from a pipe whose content is not known", context.Whole);
        }
    }

    private static void Launch(in ProgramContext context, string? script = null, string? module = null) => context.Launch(script, module);

    private static void Python(in ProgramContext context)
    {
        var parsed = OptionParser.Parse(context.Args, s_python);
        if (parsed.Last("c") is { } code)
        {
            context.Launch();
            if (code.Value is { } text)
            {
                context.Python(text, context.SpanAt(code.ValueIndex), context.Name + " -c");
            }

            return;
        }

        if (parsed.Last("m") is { } module)
        {
            context.Launch(module: module.Value);
            return;
        }

        var scriptIndex = parsed.RestIndex;
        if (scriptIndex >= 0 && scriptIndex < context.Count && context[scriptIndex] != "-")
        {
            context.Launch(script: context.Path(context[scriptIndex]));
            return;
        }

        var invocation = context.Invocation;
        context.Launch(script: invocation.StdinFile);
        if (invocation.StdinText is { } text2)
        {
            context.Python(text2, context.Whole, context.Name);
        }
        else if (invocation.StdinFile is null && invocation.StdinFromPipe)
        {
            context.Opaque("python", "runs code read from a pipe whose content is not known", context.Whole);
        }
        else if (TransferTools.TypedAhead(context) is { } typed)
        {
            // An interactive interpreter reads the lines typed after it: in a terminal they are Python, not shell.
            context.Python(typed, context.Whole, context.Name + " (typed ahead)");
        }
    }

    /// <summary>Handles inline code of a language whose code the analysis does not interpret: a literal <c>system("…")</c> is analysed as shell, anything else is opaque.</summary>
    private static void InlineForeignCode(in ProgramContext context, string language, string code, TextSpan span, string flag)
    {
        if (InlineCode.LiteralShellCommand(language, code) is { } command)
        {
            context.Shell(command, span, context.Name + " " + flag);
        }
        else
        {
            context.Opaque(language, $"inline {language} code is not analysed", span);
        }
    }

    /// <summary>Handles code read from standard input by an interpreter whose code is not analysed.</summary>
    private static void ForeignStdin(in ProgramContext context, string language)
    {
        var invocation = context.Invocation;
        if (invocation.StdinText is not null || (invocation.StdinFile is null && invocation.StdinFromPipe) || !invocation.TypeAhead.IsEmpty)
        {
            context.Opaque(language, $"{language} code is read from standard input and is not analysed", context.Whole);
        }
    }

    private static void Perl(in ProgramContext context)
    {
        var switches = PerlSwitches.Parse(context.Args);
        if (switches.Code.Count == 0)
        {
            var script = switches.OperandIndex;
            if (script >= 0 && context[script] != "-")
            {
                context.Launch(script: context.Path(context[script]));
                return;
            }

            context.Launch(script: context.Invocation.StdinFile);
            ForeignStdin(context, "perl");
            return;
        }

        context.Launch();
        var code = string.Join('\n', switches.Code.Select(c => c.Code));
        var span = TextSpan.Union(context.SpanAt(switches.Code[0].Index), context.SpanAt(switches.Code[^1].Index));
        var scan = switches.Debug
            ? new PerlScan { Opaque = "runs under a debugger or tracing module (-d)" }
            : PerlCode.Scan(code, switches.Modules);
        foreach (var command in scan.Commands)
        {
            context.Shell(command, span, "perl -e");
        }

        foreach (var (action, path, source) in scan.Files)
        {
            context.File(action, context.Path(path), span, source is null ? null : [context.Path(source)]);
        }

        if (scan.Opaque is { } reason)
        {
            context.Opaque("perl", "inline perl code is not analysed: " + reason, span);
        }

        // Operands are the input files: edited in place with -i (or $^I), otherwise read.
        var inPlace = switches.InPlace || scan.InPlace;
        for (var i = switches.OperandIndex; i >= 0 && i < context.Count; i++)
        {
            if (context[i] != "-")
            {
                context.File(inPlace ? Actions.FileAction.Write : Actions.FileAction.Read, context.Path(context[i]), context.SpanAt(i));
            }
        }
    }

    private static void Ruby(in ProgramContext context)
    {
        var parsed = OptionParser.Parse(context.Args, s_ruby);
        string? code = null;
        var span = default(TextSpan);
        foreach (var option in parsed.Options)
        {
            if (option.Name == "e" && option.Value is { } line)
            {
                code = code is null ? line : code + "\n" + line;
                var optionSpan = context.SpanOf(option);
                span = code == line ? optionSpan : TextSpan.Union(span, optionSpan);
            }
        }

        if (code is "httpd" && parsed.Options.Any(o => o.Name == "r" && o.Value == "un"))
        {
            // ruby -run -e httpd [DIR] [-p PORT] [-b ADDR]: un.rb's WEBrick file server.
            context.Launch();
            var root = context.WorkingDirectory ?? ".";
            int? port = 8080;
            string? bind = null;
            for (var i = parsed.RestIndex; i >= 0 && i < context.Count; i++)
            {
                if (context[i] is "-p" or "--port" && i + 1 < context.Count)
                {
                    port = NetworkAddresses.ParsePort(context[++i]);
                }
                else if (context[i] is "-b" or "--bind-address" && i + 1 < context.Count)
                {
                    bind = context[++i];
                }
                else if (!context[i].StartsWith('-'))
                {
                    root = context.Path(context[i]);
                }
            }

            context.Serve([root], port, bind, context.Whole);
            return;
        }

        ScriptOrInline(context, parsed, "ruby", code, span, "-e");
    }

    /// <summary>The perl/ruby shape: inline code (then operands are input files, written with <c>-i</c>) or a script operand or standard input.</summary>
    private static void ScriptOrInline(in ProgramContext context, ParsedArguments parsed, string language, string? code, TextSpan span, string flag)
    {
        var operandStart = parsed.RestIndex;
        if (code is not null)
        {
            context.Launch();
            InlineForeignCode(context, language, code, span, flag);
            if (parsed.Has("i") && operandStart >= 0)
            {
                for (var i = operandStart; i < context.Count; i++)
                {
                    context.File(Actions.FileAction.Write, context.Path(context[i]), context.SpanAt(i));
                }
            }

            return;
        }

        if (operandStart >= 0 && operandStart < context.Count && context[operandStart] != "-")
        {
            context.Launch(script: context.Path(context[operandStart]));
            return;
        }

        context.Launch(script: context.Invocation.StdinFile);
        ForeignStdin(context, language);
    }

    private static void Node(in ProgramContext context)
    {
        var parsed = OptionParser.Parse(context.Args, s_node);
        var code = parsed.Last("e") ?? parsed.Last("p");
        if (code is { Value: { } text } option)
        {
            context.Launch();
            InlineForeignCode(context, "javascript", text, context.SpanOf(option), "-e");
            return;
        }

        var scriptIndex = parsed.RestIndex;
        if (scriptIndex >= 0 && scriptIndex < context.Count && context[scriptIndex] != "-")
        {
            context.Launch(script: context.Path(context[scriptIndex]));
            return;
        }

        context.Launch(script: context.Invocation.StdinFile);
        ForeignStdin(context, "javascript");
    }

    private static void Deno(in ProgramContext context)
    {
        var parsed = OptionParser.Parse(context.Args, s_deno);
        var verbIndex = parsed.RestIndex;
        if (verbIndex < 0 || verbIndex >= context.Count)
        {
            context.Launch();
            return;
        }

        switch (context[verbIndex])
        {
            case "run" or "serve":
                var run = OptionParser.Parse(context.Args, s_deno, verbIndex + 1);
                var script = run.RestIndex >= 0 && run.RestIndex < context.Count ? context[run.RestIndex] : null;
                context.Launch(script: script is null || script == "-" ? null : ScriptPath(context, script));
                if (script == "-")
                {
                    ForeignStdin(context, "javascript");
                }

                break;
            case "eval":
                var evaluated = OptionParser.Parse(context.Args, s_deno, verbIndex + 1);
                context.Launch();
                if (evaluated.RestIndex >= 0 && evaluated.RestIndex < context.Count)
                {
                    InlineForeignCode(context, "javascript", context[evaluated.RestIndex], context.SpanAt(evaluated.RestIndex), "eval");
                }

                break;
            default:
                // `deno script.ts` runs the script too.
                var word = context[verbIndex];
                context.Launch(script: LooksLikeScript(word) ? context.Path(word) : null);
                break;
        }
    }

    private static void Bun(in ProgramContext context)
    {
        var parsed = OptionParser.Parse(context.Args, s_bun);
        if ((parsed.Last("e") ?? parsed.Last("p")) is { Value: { } code } option)
        {
            context.Launch();
            InlineForeignCode(context, "javascript", code, context.SpanOf(option), "-e");
            return;
        }

        var verbIndex = parsed.RestIndex;
        if (verbIndex < 0 || verbIndex >= context.Count)
        {
            context.Launch();
            return;
        }

        var verb = context[verbIndex];
        if (verb == "x" && verbIndex + 1 < context.Count)
        {
            var inner = OptionParser.Parse(context.Args, s_npx, verbIndex + 1);
            if (inner.RestIndex >= 0 && inner.RestIndex < context.Count)
            {
                context.RunInner(inner.RestIndex, "bun x");
                return;
            }
        }

        if (verb == "run")
        {
            var run = OptionParser.Parse(context.Args, s_bun, verbIndex + 1);
            var script = run.RestIndex >= 0 && run.RestIndex < context.Count ? context[run.RestIndex] : null;
            context.Launch(script: script is not null && LooksLikeScript(script) ? context.Path(script) : null);
            return;
        }

        context.Launch(script: LooksLikeScript(verb) ? context.Path(verb) : null);
    }

    private static string ScriptPath(in ProgramContext context, string script) =>
        script.Contains("://", StringComparison.Ordinal) ? script : context.Path(script);

    private static bool LooksLikeScript(string word)
    {
        if (word.Contains('/', StringComparison.Ordinal))
        {
            return true;
        }

        var dot = word.LastIndexOf('.');
        return dot > 0 && word.AsSpan(dot + 1) is "js" or "ts" or "mjs" or "cjs" or "tsx" or "jsx" or "mts" or "cts" or "py";
    }

    private static void Php(in ProgramContext context)
    {
        var parsed = OptionParser.Parse(context.Args, s_php);
        if (parsed.Last("S") is { Value: { } address } server)
        {
            // php -S ADDR:PORT [-t DOCROOT]: the built-in web server serves the document root (the working directory).
            NetworkAddresses.ParseAuthority(address, out var host, out var port);
            var root = parsed.Value("t") is { } docroot ? context.Path(docroot) : context.WorkingDirectory ?? ".";
            context.Serve([root], port, host.Length == 0 ? null : host, context.SpanOf(server));
        }

        string? code = null;
        var span = default(TextSpan);
        foreach (var option in parsed.Options)
        {
            if (option.Name is "r" or "B" or "R" or "E" && option.Value is { } text)
            {
                code = code is null ? text : code + "\n" + text;
                span = code == text ? context.SpanOf(option) : TextSpan.Union(span, context.SpanOf(option));
            }
        }

        if (code is not null)
        {
            context.Launch();
            InlineForeignCode(context, "php", code, span, "-r");
            return;
        }

        var file = parsed.Value("f") ?? (parsed.RestIndex >= 0 && parsed.RestIndex < context.Count ? context[parsed.RestIndex] : null);
        if (file is not null && file != "-")
        {
            context.Launch(script: context.Path(file));
            return;
        }

        context.Launch(script: context.Invocation.StdinFile);
        if (parsed.Last("S") is null)
        {
            ForeignStdin(context, "php");
        }
    }

    private static void Lua(in ProgramContext context)
    {
        var parsed = OptionParser.Parse(context.Args, s_lua);
        string? code = null;
        var span = default(TextSpan);
        foreach (var option in parsed.Options)
        {
            if (option.Name == "e" && option.Value is { } text)
            {
                code = code is null ? text : code + "\n" + text;
                span = code == text ? context.SpanOf(option) : TextSpan.Union(span, context.SpanOf(option));
            }
        }

        var scriptIndex = parsed.RestIndex;
        var hasScript = scriptIndex >= 0 && scriptIndex < context.Count && context[scriptIndex] != "-";
        if (code is not null)
        {
            context.Launch(script: hasScript ? context.Path(context[scriptIndex]) : null);
            InlineForeignCode(context, "lua", code, span, "-e");
            return;
        }

        if (hasScript)
        {
            context.Launch(script: context.Path(context[scriptIndex]));
            return;
        }

        context.Launch(script: context.Invocation.StdinFile);
        ForeignStdin(context, "lua");
    }

    private static void Awk(in ProgramContext context)
    {
        var parsed = OptionParser.Parse(context.Args, s_awk);
        string? program = null;
        var span = context.Whole;
        if (parsed.Last("e") is { Value: { } source } sourceOption)
        {
            program = source;
            span = context.SpanOf(sourceOption);
        }
        else if (!parsed.Has("f") && !parsed.Has("E") && parsed.OperandCount > 0)
        {
            program = parsed.Operand(0);
            span = context.SpanAt(parsed.Operands[0]);
        }

        if (program is null)
        {
            return;
        }

        var commands = new List<string>();
        var opaque = InlineCode.ScanAwk(program, commands);
        foreach (var command in commands)
        {
            context.Shell(command, span, context.Name);
        }

        if (opaque)
        {
            context.Opaque("awk", "the awk program runs a command built at run time or pipes data into an interpreter", span);
        }
    }

    private static void Uv(in ProgramContext context)
    {
        var verbIndex = FirstNonOption(context, 0);
        if (verbIndex < 0)
        {
            context.Launch();
            return;
        }

        var verb = context[verbIndex];
        if (verb == "tool" && verbIndex + 1 < context.Count && context[verbIndex + 1] == "run")
        {
            RunTool(context, verbIndex + 2, "uv tool run");
            return;
        }

        if (verb != "run")
        {
            context.Launch();
            return;
        }

        var parsed = OptionParser.Parse(context.Args, s_uvRun, verbIndex + 1);
        var target = parsed.RestIndex;
        if (target < 0 || target >= context.Count)
        {
            context.Launch();
            return;
        }

        if (parsed.Has("m"))
        {
            context.Launch(module: context[target]);
            return;
        }

        if (parsed.Has("s") || context[target].EndsWith(".py", StringComparison.Ordinal) || context[target].EndsWith(".pyw", StringComparison.Ordinal))
        {
            context.Launch(script: context.Path(context[target]));
            return;
        }

        context.RunInner(target, "uv run");
    }

    private static void Uvx(in ProgramContext context) => RunTool(context, 0, "uvx");

    private static void RunTool(in ProgramContext context, int start, string step)
    {
        var parsed = OptionParser.Parse(context.Args, s_uvRun, start);
        if (parsed.RestIndex >= 0 && parsed.RestIndex < context.Count)
        {
            context.RunInner(parsed.RestIndex, step);
        }
        else
        {
            context.Launch();
        }
    }

    private static int FirstNonOption(in ProgramContext context, int start)
    {
        for (var i = start; i < context.Count; i++)
        {
            if (!context[i].StartsWith('-'))
            {
                return i;
            }

            if (context[i] is "--directory" or "--project" or "--cache-dir" or "--config-file" or "--color" or "--python" or "-p")
            {
                i++;
            }
        }

        return -1;
    }

    private static void Launcher(in ProgramContext context)
    {
        var parsed = OptionParser.Parse(context.Args, s_launcher);
        LaunchTarget(context, parsed);
    }

    private static void LaunchTarget(in ProgramContext context, ParsedArguments parsed)
    {
        var target = parsed.RestIndex;
        if (target < 0 || target >= context.Count)
        {
            context.Launch();
            return;
        }

        if (parsed.Has("m"))
        {
            context.Launch(module: context[target]);
            return;
        }

        if (parsed.Has("no-python") || parsed.Has("no_python"))
        {
            context.RunInner(target, context.Name);
            return;
        }

        context.Launch(script: context.Path(context[target]));
    }

    private static void Accelerate(in ProgramContext context)
    {
        if (context.Count > 0 && context[0] == "launch")
        {
            LaunchTarget(context, OptionParser.Parse(context.Args, s_launcher, 1));
            return;
        }

        context.Launch();
    }

    private static void EnvironmentRunner(in ProgramContext context)
    {
        var run = -1;
        for (var i = 0; i < context.Count; i++)
        {
            if (context[i] == "run")
            {
                run = i;
                break;
            }

            if (!context[i].StartsWith('-'))
            {
                break;
            }
        }

        if (run < 0)
        {
            context.Launch();
            return;
        }

        var parsed = OptionParser.Parse(context.Args, s_envRunner, run + 1);
        if (parsed.RestIndex < 0 || parsed.RestIndex >= context.Count)
        {
            context.Launch();
            return;
        }

        var directory = parsed.Value("cwd") is { } cwd ? context.Path(cwd) : null;
        context.RunInner(parsed.RestIndex, context.Name + " run", workingDirectory: directory);
    }

    private static void Npx(in ProgramContext context)
    {
        var start = 0;
        if (string.Equals(context.Name, "pipx", StringComparison.Ordinal))
        {
            if (context.Count == 0 || context[0] != "run")
            {
                context.Launch();
                return;
            }

            start = 1;
        }

        RunPackage(context, start, context.Name);
    }

    private static void RunPackage(in ProgramContext context, int start, string step)
    {
        var parsed = OptionParser.Parse(context.Args, s_npx, start);
        if (parsed.Last("c") is { Value: { } command } commandOption)
        {
            context.Launch();
            context.Shell(command, context.SpanOf(commandOption), step + " -c");
            return;
        }

        if (parsed.RestIndex >= 0 && parsed.RestIndex < context.Count)
        {
            context.RunInner(parsed.RestIndex, step);
            return;
        }

        context.Launch();
    }

    private static void PackageExec(in ProgramContext context)
    {
        if (context.Count > 0 && (context[0] is "exec" or "x" || (context[0] == "dlx" && context.Name is "pnpm" or "yarn")))
        {
            RunPackage(context, 1, context.Name + " " + context[0]);
            return;
        }

        context.Launch();
    }

    private static void PowerShell(in ProgramContext context)
    {
        for (var i = 0; i < context.Count; i++)
        {
            var arg = context[i];
            if (arg.Length < 2 || (arg[0] != '-' && arg[0] != '/'))
            {
                context.Launch(script: context.Path(arg));
                return;
            }

            var name = arg[1..].ToLowerInvariant();
            if (name is "c" or "command" or "encodedcommand" or "enc" or "e" or "ec")
            {
                context.Launch();
                context.Opaque("powershell", "inline powershell code is not analysed", i + 1 < context.Count ? context.SpanOf(i, i + 1) : context.SpanAt(i));
                return;
            }

            if (name is "file" or "f" && i + 1 < context.Count)
            {
                context.Launch(script: context.Path(context[i + 1]));
                return;
            }

            if (name is "executionpolicy" or "ep" or "workingdirectory" or "wd" or "windowstyle" or "w" or "configurationname" or "outputformat" or "of" or "inputformat" or "if" or "settingsfile")
            {
                i++;
            }
        }

        context.Launch();
    }
}
