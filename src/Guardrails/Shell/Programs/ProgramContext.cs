using Guardrails.Actions;

namespace Guardrails.Shell.Programs;

/// <summary>
/// What a program handler works with: the invocation, the host, the program's name, and helpers that stamp every
/// operation with the invocation's source, a span and the invocation's via.
/// </summary>
internal readonly struct ProgramContext
{
    public ProgramContext(CommandInvocation invocation, IInvocationHost host, string name)
    {
        Invocation = invocation;
        Host = host;
        Name = name;
    }

    /// <summary>Gets the invocation analysed.</summary>
    public CommandInvocation Invocation { get; }

    /// <summary>Gets the analyzer's callbacks.</summary>
    public IInvocationHost Host { get; }

    /// <summary>Gets the program's table name (the file name of the program, for example <c>scp</c> for <c>/usr/bin/scp</c>).</summary>
    public string Name { get; }

    /// <summary>Gets the arguments after the program.</summary>
    public IReadOnlyList<string> Args => Invocation.Arguments;

    /// <summary>Gets the number of arguments.</summary>
    public int Count => Invocation.Arguments.Count;

    /// <summary>Gets the tool-call argument the spans refer to.</summary>
    public string Source => Invocation.Source;

    /// <summary>Gets how the invocation was reached.</summary>
    public string? Via => Invocation.Via;

    /// <summary>Gets the span of the whole command.</summary>
    public TextSpan Whole => Invocation.Span;

    /// <summary>Gets argument <paramref name="index"/>.</summary>
    public string this[int index] => Invocation.Arguments[index];

    /// <summary>Gets the span of argument <paramref name="index"/> (the whole command when unknown).</summary>
    public TextSpan SpanAt(int index)
    {
        var spans = Invocation.ArgumentSpans;
        return (uint)index < (uint)spans.Count ? spans[index] : Invocation.Span;
    }

    /// <summary>Gets the span covering arguments <paramref name="first"/> through <paramref name="last"/> (inclusive).</summary>
    public TextSpan SpanOf(int first, int last) =>
        last <= first ? SpanAt(first) : TextSpan.Union(SpanAt(first), SpanAt(last));

    /// <summary>Gets the span of an option (and its value when separate).</summary>
    public TextSpan SpanOf(ParsedOption option) =>
        option.ValueIndex > option.Index ? SpanOf(option.Index, option.ValueIndex) : SpanAt(option.Index);

    /// <summary>Normalizes a path through the host.</summary>
    public string Path(string path) => Host.NormalizePath(path, Invocation);

    /// <summary>Normalizes the operands [<paramref name="from"/>..<paramref name="to"/>) of <paramref name="parsed"/>.</summary>
    public string[] Paths(ParsedArguments parsed, int from, int to)
    {
        if (to <= from)
        {
            return [];
        }

        var paths = new string[to - from];
        for (var k = from; k < to; k++)
        {
            paths[k - from] = Path(parsed.Operand(k));
        }

        return paths;
    }

    /// <summary>Gets the span covering operands [<paramref name="from"/>..<paramref name="to"/>) and, optionally, an extra argument.</summary>
    public TextSpan OperandSpan(ParsedArguments parsed, int from, int to, int extraIndex = -1)
    {
        var span = default(TextSpan);
        var any = false;
        for (var k = from; k < to; k++)
        {
            span = any ? TextSpan.Union(span, SpanAt(parsed.Operands[k])) : SpanAt(parsed.Operands[k]);
            any = true;
        }

        if (extraIndex >= 0)
        {
            span = any ? TextSpan.Union(span, SpanAt(extraIndex)) : SpanAt(extraIndex);
            any = true;
        }

        return any ? span : Whole;
    }

    /// <summary>Adds an operation to the sink.</summary>
    public void Add(Operation operation) => Host.Sink.Add(operation);

    /// <summary>Emits the <see cref="ProcessLaunch"/> of this invocation.</summary>
    public void Launch(string? script = null, string? module = null, string? detachedBy = null)
    {
        Add(new ProcessLaunch(Invocation.Program, Invocation.Arguments)
        {
            Source = Source,
            Span = Whole,
            Via = Via,
            Detached = Invocation.Detached || detachedBy is not null,
            DetachedBy = Invocation.Detached ? Invocation.DetachedBy ?? detachedBy : detachedBy,
            Script = script,
            Module = module,
            WorkingDirectory = Invocation.WorkingDirectory,
        });

        if (module is "http.server" or "SimpleHTTPServer" or "pydoc" or "smtpd" or "xmlrpc.server" or "uploadserver")
        {
            // The standard library's servers listen on the first numeric operand (8000 by default for http.server);
            // http.server serves the working directory (or --directory) to whoever connects.
            var files = module is "http.server" or "SimpleHTTPServer" or "uploadserver";
            int? port = files ? 8000 : null;
            string? bind = null;
            var directory = WorkingDirectory ?? ".";
            var moduleIndex = -1;
            for (var i = 0; i < Count; i++)
            {
                if (moduleIndex < 0)
                {
                    moduleIndex = Args[i] == module || Args[i] == "-m" + module ? i : -1;
                    continue;
                }

                if (Args[i] is "-b" or "--bind" && i + 1 < Count)
                {
                    bind = Args[++i];
                }
                else if (Args[i] is "-d" or "--directory" && i + 1 < Count)
                {
                    directory = Path(Args[++i]);
                }
                else if (Args[i].StartsWith("--directory=", StringComparison.Ordinal))
                {
                    directory = Path(Args[i]["--directory=".Length..]);
                }
                else if (Args[i].Length is > 0 and <= 5 && Args[i].AsSpan().IndexOfAnyExceptInRange('0', '9') < 0)
                {
                    port = int.Parse(Args[i], System.Globalization.CultureInfo.InvariantCulture);
                }
            }

            if (files)
            {
                Serve([directory], port, bind, Whole, module);
            }
            else
            {
                Add(new NetworkListen(module) { Port = port, Source = Source, Span = Whole, Via = Via });
            }
        }
    }

    /// <summary>Gets the working directory of the invocation, normalized, or <see langword="null"/> when unknown.</summary>
    public string? WorkingDirectory => Invocation.WorkingDirectory;

    /// <summary>
    /// Emits a file server: a listening socket, and — unless it only listens on this host — the served directories as
    /// files offered to whoever connects (an upload to no particular host, so the catalogs judge what is served).
    /// </summary>
    public void Serve(IReadOnlyList<string> roots, int? port, string? bind, TextSpan span, string? program = null)
    {
        Add(new NetworkListen(program ?? Name) { Port = port, Host = bind, Source = Source, Span = span, Via = Via });
        if (bind is not null && Classification.Classifier.IsLoopback(bind) && bind is not ("0.0.0.0" or "0" or "::" or "[::]"))
        {
            return;
        }

        // The host is the address bound (anyone who reaches it), not a destination: serving is not egress.
        Transfer(TransferDirection.Upload, span, bind ?? "0.0.0.0", port, roots, program: program);
    }

    /// <summary>Emits the launch of something other than this invocation's program (a service unit, a container image).</summary>
    public void LaunchOther(string program, IReadOnlyList<string> arguments, TextSpan span, string? detachedBy, string? workingDirectory = null) =>
        Add(new ProcessLaunch(program, arguments)
        {
            Source = Source,
            Span = span,
            Via = Via,
            Detached = Invocation.Detached || detachedBy is not null,
            DetachedBy = Invocation.Detached ? Invocation.DetachedBy ?? detachedBy : detachedBy,
            WorkingDirectory = workingDirectory,
        });

    /// <summary>Emits a file operation.</summary>
    public void File(FileAction action, string path, TextSpan span, IReadOnlyList<string>? sources = null, bool recursive = false, bool archive = false, string? content = null) =>
        Add(new FileOperation(action, path)
        {
            Source = Source,
            Span = span,
            Via = Via,
            Sources = sources ?? [],
            Recursive = recursive,
            Archive = archive,
            Content = content,
            Program = Name,
        });

    /// <summary>Emits a network transfer.</summary>
    public void Transfer(TransferDirection direction, TextSpan span, string? host, int? port = null, IReadOnlyList<string>? localPaths = null, string? remote = null, string? program = null) =>
        Add(new NetworkTransfer(direction, program ?? Name)
        {
            Source = Source,
            Span = span,
            Via = Via,
            Host = host,
            Port = port,
            LocalPaths = localPaths ?? [],
            Remote = remote,
        });

    /// <summary>Emits a listening socket.</summary>
    public void Listen(TextSpan span, int? port, string? host = null, string? program = null) =>
        Add(new NetworkListen(program ?? Name) { Source = Source, Span = span, Via = Via, Port = port, Host = host });

    /// <summary>Emits a remote execution.</summary>
    public void Remote(string transport, string host, string? command, TextSpan span) =>
        Add(new RemoteExecution(transport, host) { Source = Source, Span = span, Via = Via, Command = command });

    /// <summary>Emits a compute provisioning.</summary>
    public void Provision(string provider, string action, string? workload, TextSpan span) =>
        Add(new ComputeProvision(provider, action) { Source = Source, Span = span, Via = Via, Workload = workload });

    /// <summary>Emits a scheduled task.</summary>
    public void Schedule(string mechanism, string? command, string? path, TextSpan span) =>
        Add(new ScheduledTask(mechanism) { Source = Source, Span = span, Via = Via, Command = command, Path = path });

    /// <summary>Emits a signal being sent.</summary>
    public void Signal(string signal, IReadOnlyList<string> targets, TextSpan span, string? program = null) =>
        Add(new SignalSend(signal, targets) { Source = Source, Span = span, Via = Via, Program = program ?? Name });

    /// <summary>Emits opaque code.</summary>
    public void Opaque(string language, string reason, TextSpan span) =>
        Add(new OpaqueCode(language, reason) { Source = Source, Span = span, Via = Via });

    /// <summary>Emits an environment change.</summary>
    public void Environment(string name, string? value, TextSpan span) =>
        Add(new EnvironmentChange(name, value) { Source = Source, Span = span, Via = Via });

    /// <summary>Combines this invocation's via with a new step.</summary>
    public string ViaThen(string step) => Via is null ? step : Via + " → " + step;

    /// <summary>Analyses shell code run by this program.</summary>
    public void Shell(string code, TextSpan span, string via, CommandInvocation? runner = null) =>
        Host.AnalyzeShell(code, span, runner ?? Invocation, via);

    /// <summary>Analyses Python code run by this program.</summary>
    public void Python(string code, TextSpan span, string via) => Host.AnalyzePython(code, span, Invocation, via);

    /// <summary>Analyses the command made of arguments [<paramref name="start"/>..<paramref name="end"/>) as a nested invocation.</summary>
    /// <param name="start">The index of the inner program.</param>
    /// <param name="step">The wrapper's name, appended to the via.</param>
    /// <param name="detachedBy">What detaches the inner command, or <see langword="null"/> when the wrapper does not.</param>
    /// <param name="workingDirectory">The inner working directory when the wrapper changes it.</param>
    /// <param name="inheritStdin">Whether the inner command reads this invocation's standard input.</param>
    /// <param name="end">The index just past the inner command's last argument (-1: all).</param>
    public void RunInner(int start, string step, string? detachedBy = null, string? workingDirectory = null, bool inheritStdin = true, int end = -1)
    {
        if (end < 0 || end > Count)
        {
            end = Count;
        }

        if (start >= end)
        {
            return;
        }

        Host.AnalyzeInvocation(Inner(start, end, ViaThen(step), detachedBy, workingDirectory, inheritStdin));
    }

    /// <summary>Creates the nested invocation of arguments [<paramref name="start"/>..<paramref name="end"/>).</summary>
    public CommandInvocation Inner(int start, int end, string via, string? detachedBy = null, string? workingDirectory = null, bool inheritStdin = true)
    {
        var inv = Invocation;
        var programSpan = SpanAt(start);
        var lastEnd = end == Count ? Math.Max(inv.Span.End, SpanAt(end - 1).End) : SpanAt(end - 1).End;
        return new CommandInvocation
        {
            Program = Args[start],
            Arguments = ListSlice<string>.Create(inv.Arguments, start + 1, end - start - 1),
            ArgumentSpans = ListSlice<TextSpan>.Create(inv.ArgumentSpans, start + 1, Math.Min(end, inv.ArgumentSpans.Count) - start - 1),
            Span = new TextSpan(programSpan.Start, Math.Max(0, lastEnd - programSpan.Start)),
            ProgramSpan = programSpan,
            Source = inv.Source,
            WorkingDirectory = workingDirectory ?? inv.WorkingDirectory,
            Detached = inv.Detached || detachedBy is not null,
            DetachedBy = inv.Detached ? inv.DetachedBy ?? detachedBy : detachedBy,
            Via = via,
            Depth = inv.Depth,
            StdinFile = inheritStdin ? inv.StdinFile : null,
            StdinText = inheritStdin ? inv.StdinText : null,
            StdinFromPipe = inheritStdin && inv.StdinFromPipe,
            StdinPipedFrom = inheritStdin ? inv.StdinPipedFrom : null,
            StdoutToPipe = inv.StdoutToPipe,
            TypeAhead = inheritStdin ? inv.TypeAhead : default,
            StdoutFile = inv.StdoutFile,
        };
    }

    /// <summary>Analyses a nested command whose program is an option value (<c>start-stop-daemon --exec PROG -- ARGS</c>) and whose arguments are [<paramref name="argumentsStart"/>..end).</summary>
    public void RunComposed(string program, int programIndex, int argumentsStart, string step, string? detachedBy = null, string? workingDirectory = null)
    {
        var inv = Invocation;
        argumentsStart = Math.Clamp(argumentsStart, 0, Count);
        var programSpan = SpanAt(programIndex);
        var spanEnd = Math.Max(programSpan.End, Count > argumentsStart ? Math.Max(inv.Span.End, SpanAt(Count - 1).End) : programSpan.End);
        var spanStart = Math.Min(programSpan.Start, Count > argumentsStart ? SpanAt(argumentsStart).Start : programSpan.Start);
        Host.AnalyzeInvocation(new CommandInvocation
        {
            Program = program,
            Arguments = ListSlice<string>.Create(inv.Arguments, argumentsStart, Count - argumentsStart),
            ArgumentSpans = ListSlice<TextSpan>.Create(inv.ArgumentSpans, argumentsStart, Math.Min(Count, inv.ArgumentSpans.Count) - argumentsStart),
            Span = new TextSpan(spanStart, spanEnd - spanStart),
            ProgramSpan = programSpan,
            Source = inv.Source,
            WorkingDirectory = workingDirectory ?? inv.WorkingDirectory,
            Detached = inv.Detached || detachedBy is not null,
            DetachedBy = inv.Detached ? inv.DetachedBy ?? detachedBy : detachedBy,
            Via = ViaThen(step),
            Depth = inv.Depth,
            StdinFile = inv.StdinFile,
            StdinText = inv.StdinText,
            StdinFromPipe = inv.StdinFromPipe,
            StdinPipedFrom = inv.StdinPipedFrom,
            StdoutToPipe = inv.StdoutToPipe,
            TypeAhead = inv.TypeAhead,
            StdoutFile = inv.StdoutFile,
        });
    }

    /// <summary>Creates a copy of this invocation that runs detached (and, optionally, without its standard input), for code handed to the host.</summary>
    public CommandInvocation Copy(string? detachedBy, bool inheritStdin = true, string? workingDirectory = null)
    {
        var inv = Invocation;
        return new CommandInvocation
        {
            Program = inv.Program,
            Arguments = inv.Arguments,
            ArgumentSpans = inv.ArgumentSpans,
            Span = inv.Span,
            ProgramSpan = inv.ProgramSpan,
            Source = inv.Source,
            WorkingDirectory = workingDirectory ?? inv.WorkingDirectory,
            Detached = inv.Detached || detachedBy is not null,
            DetachedBy = inv.Detached ? inv.DetachedBy ?? detachedBy : detachedBy,
            Via = inv.Via,
            Depth = inv.Depth,
            StdinFile = inheritStdin ? inv.StdinFile : null,
            StdinText = inheritStdin ? inv.StdinText : null,
            StdinFromPipe = inheritStdin && inv.StdinFromPipe,
            StdinPipedFrom = inheritStdin ? inv.StdinPipedFrom : null,
            StdoutToPipe = inv.StdoutToPipe,
            TypeAhead = inheritStdin ? inv.TypeAhead : default,
            StdoutFile = inv.StdoutFile,
        };
    }

    /// <summary>Joins arguments [<paramref name="start"/>..<paramref name="end"/>) with spaces.</summary>
    public string Join(int start, int end = -1)
    {
        if (end < 0 || end > Count)
        {
            end = Count;
        }

        if (start >= end)
        {
            return string.Empty;
        }

        if (end - start == 1)
        {
            return Args[start];
        }

        var builder = new System.Text.StringBuilder();
        for (var i = start; i < end; i++)
        {
            if (i > start)
            {
                builder.Append(' ');
            }

            builder.Append(Args[i]);
        }

        return builder.ToString();
    }
}
