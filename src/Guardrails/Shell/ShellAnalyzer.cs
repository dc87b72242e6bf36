using System.Text;
using Guardrails.Actions;
using Guardrails.Interpreters;
using Guardrails.Python;
using Guardrails.Shell.Programs;
using Guardrails.Shell.Syntax;

namespace Guardrails.Shell;

/// <summary>
/// Reads a shell command the way bash would execute it, without executing anything: parses it, resolves what can be
/// known statically (quote removal, variables and aliases defined earlier in the same command, functions, brace
/// expansion, <c>~</c>), follows pipes of literal text into shells and decoders, and hands every resolved command to the
/// per-program semantics table. What cannot be resolved becomes an <see cref="OpaqueCode"/> operation with its span —
/// a risk signal, never a silent pass.
/// </summary>
/// <remarks>One instance analyses one tool call; it is not thread-safe and not reused.</remarks>
internal sealed class ShellAnalyzer : IInvocationHost
{
    private const int MaxFieldsPerWord = 256;
    private const int MaxFunctionCallDepth = 8;
    private const int MaxUpstreamLength = 1024;

    // Marks "no value was saved" when restoring positional parameters (distinct from a saved null = unknown).
    private static readonly string Unset = new('\0', 1);

    private static readonly HashSet<string> NonExecutingBuiltins = new(StringComparer.Ordinal)
    {
        ":", "true", "false", "test", "[", "read", "set", "shift", "return", "exit", "wait", "jobs", "type", "hash", "pwd",
        "let", "shopt", "history", "echo", "printf", "getopts", "umask", "ulimit", "times", "dirs", "pushd", "popd", "break", "continue", "help", "logout", "suspend", "fg", "bg", "compgen", "complete", "caller", "enable", "mapfile", "readarray", "bind",
    };

    private readonly InterpretationContext _context;
    // Most commands define no variables, functions or aliases: those tables are made on first use.
    private Dictionary<string, string?>? _variables;

    // Further values a variable may hold: assignments in branches and loops add a candidate instead of replacing the
    // value, because which one holds at run time is not known statically. Expansions use every candidate.
    private Dictionary<string, List<string>>? _candidates;
    private int _conditional;
    private Dictionary<string, Command>? _functions;
    private Dictionary<string, string>? _aliases;
    private HashSet<string>? _expandingAliases;

    // The texts of the tool-call arguments, by name; shared with the analyzers of nested shells, which add none.
    private SourceTexts _sources = new();

    // Known output of <(…) process substitutions, by the start of their span: what `source <(…)` and `bash <(…)` read.
    private Dictionary<int, string>? _processOutputs;

    // The lone command of a top-level list item and the text of the items after it (see NoteTypeAhead).
    private Command? _typeAheadCommand;
    private ReadOnlyMemory<char> _typeAhead;
    private int _functionDepth;

    // The text of the last simple command walked when it feeds a pipe, for the text of a pipeline stage.
    private string? _lastStageText;

    public ShellAnalyzer(InterpretationContext context)
    {
        _context = context;
        Cwd = context.WorkingDirectory;
    }

    /// <inheritdoc />
    public OperationSink Sink => _context.Sink;

    private Dictionary<string, string?> Variables => _variables ??= new(StringComparer.Ordinal);

    private Dictionary<string, List<string>> Candidates => _candidates ??= new(StringComparer.Ordinal);

    /// <summary>Gets the working directory as tracked through <c>cd</c> (null when it became unknown).</summary>
    private string? Cwd { get; set; }

    /// <summary>Analyses a top-level shell command taken from tool argument <paramref name="source"/>.</summary>
    public void AnalyzeCommand(string command, string source)
    {
        _sources.Set(source, command);
        AnalyzeText(command, new Frame(source, SpanMap.Identity, 0, null, false, null));
    }

    /// <summary>Analyses a top-level Python program taken from tool argument <paramref name="source"/>.</summary>
    public void AnalyzePythonSource(string code, string source)
    {
        _sources.Set(source, code);
        PythonAnalyzer.Analyze(code, new PythonScope(source, SpanMap.Identity, 0, null, Cwd), this);
    }

    /// <inheritdoc />
    public string NormalizePath(string path, CommandInvocation invocation) =>
        _context.Catalog.Normalize(path, invocation.WorkingDirectory ?? Cwd);

    /// <inheritdoc />
    public void AnalyzeShell(string code, TextSpan span, CommandInvocation invocation, string via)
    {
        var frame = new Frame(invocation.Source, SpanMap.For(SourceText(invocation.Source), code, span), invocation.Depth + 1, Chain(invocation.Via, via), invocation.Detached, invocation.DetachedBy);

        // A new shell process: it sees none of this shell's unexported variables, aliases or functions.
        var child = new ShellAnalyzer(_context) { Cwd = invocation.WorkingDirectory ?? Cwd, _sources = _sources };

        child.AnalyzeText(code, frame);
    }

    /// <inheritdoc />
    public void AnalyzePython(string code, TextSpan span, CommandInvocation invocation, string via)
    {
        var map = SpanMap.For(SourceText(invocation.Source), code, span);
        PythonAnalyzer.Analyze(code, new PythonScope(invocation.Source, map, invocation.Depth + 1, Chain(invocation.Via, via), invocation.WorkingDirectory ?? Cwd) { Detached = invocation.Detached, DetachedBy = invocation.DetachedBy }, this);
    }

    /// <inheritdoc />
    public void AnalyzeInvocation(CommandInvocation inner)
    {
        if (inner.Depth > _context.Limits.MaxNestingDepth)
        {
            Opaque("shell", $"wrappers nested deeper than {_context.Limits.MaxNestingDepth} levels", inner.Source, inner.Span, inner.Via);
            return;
        }

        ProgramSemantics.Analyze(inner, this);
    }

    /// <summary>Gets the context of the tool call (for the Python analyzer).</summary>
    internal InterpretationContext Context => _context;

    internal string? SourceText(string source) => _sources.Get(source);

    internal static string? Chain(string? outer, string? inner) =>
        outer is null ? inner : inner is null ? outer : outer + " → " + inner;

    internal void Opaque(string language, string reason, string source, TextSpan span, string? via) =>
        Sink.Add(new OpaqueCode(language, reason) { Source = source, Span = span, Via = via });

    private void AnalyzeText(string code, Frame frame, bool reportSyntax = true)
    {
        frame = frame with { Code = code };
        if (frame.Depth > _context.Limits.MaxNestingDepth)
        {
            Opaque("shell", $"inline code nested deeper than {_context.Limits.MaxNestingDepth} levels", frame.Source, frame.Map.Map(new TextSpan(0, code.Length)), frame.Via);
            return;
        }

        var limits = ParserLimits.Default with { MaxLength = _context.Limits.MaxInputLength };
        var result = BashParser.Parse(code, limits);
        foreach (var diagnostic in result.Diagnostics)
        {
            // Text that holds placeholders for unknown values (eval "$(…)") was already reported as opaque by the caller;
            // the placeholders themselves are not bash and their syntax errors would only add noise.
            if (!reportSyntax && diagnostic.Kind is ParseDiagnosticKind.SyntaxError or ParseDiagnosticKind.UnterminatedQuote)
            {
                continue;
            }

            var kind = diagnostic.Kind switch
            {
                ParseDiagnosticKind.DepthLimit or ParseDiagnosticKind.LengthLimit or ParseDiagnosticKind.NodeLimit => "a parser limit was hit",
                _ => "the command could not be parsed",
            };
            Opaque("shell", $"{kind}: {diagnostic.Message}", frame.Source, frame.Map.Map(diagnostic.Span), frame.Via);
        }

        WalkList(result.Script.Body, frame);
    }

    /// <summary>Walks a command list; returns its standard output when every part of it is statically known.</summary>
    private string? WalkList(CommandList list, Frame frame)
    {
        // The output is only gathered while every item's output is known (most lists print nothing anyone reads).
        StringBuilder? output = null;
        var known = true;
        for (var index = 0; index < list.Items.Count; index++)
        {
            var item = list.Items[index];
            if (Sink.IsFull)
            {
                return null;
            }

            var itemFrame = item.Background && !frame.Detached ? frame with { Detached = true, DetachedBy = "&" } : frame;
            NoteTypeAhead(list, index, frame);
            var first = WalkPipeline(item.Command.First, itemFrame);
            _typeAheadCommand = null;
            known &= first is not null && item.Command.Rest.Count == 0 && !item.Background;
            if (known)
            {
                (output ??= new StringBuilder()).Append(first);
            }

            var rest = item.Command.Rest;
            for (var r = 0; r < rest.Count; r++)
            {
                _conditional++;
                WalkPipeline(rest[r].Pipeline, itemFrame);
                _conditional--;
            }
        }

        if (!known)
        {
            return null;
        }

        return output is null ? string.Empty : output.Length <= _context.Limits.MaxDecodedLength ? output.ToString() : null;
    }

    /// <summary>
    /// In the tool call's own script (not code nested in another command), a lone command followed by more lines may
    /// read those lines as its input when the script is typed into a terminal: remember them for that command.
    /// </summary>
    private void NoteTypeAhead(CommandList list, int index, Frame frame)
    {
        var item = list.Items[index];
        if (frame.Depth != 0 || frame.Map.Fixed is not null || frame.Map.Offset != 0 || index + 1 >= list.Items.Count || item.Background
            || item.Command.Rest.Count != 0 || item.Command.First.Commands.Count != 1 || SourceText(frame.Source) is not { } text)
        {
            return;
        }

        var start = list.Items[index + 1].Span.Start;
        var end = Math.Min(text.Length, list.Span.End);
        if (start >= 0 && start < end)
        {
            _typeAheadCommand = item.Command.First.Commands[0];
            _typeAhead = text.AsMemory(start, end - start);
        }
    }

    private string? WalkPipeline(Pipeline pipeline, Frame frame)
    {
        string? piped = null;
        string? upstream = null;
        for (var i = 0; i < pipeline.Commands.Count; i++)
        {
            var last = i == pipeline.Commands.Count - 1;
            var pipe = new PipeState(i > 0, piped, !last, upstream);
            _lastStageText = null;
            piped = WalkCommand(pipeline.Commands[i], frame, pipe);
            if (!last && _lastStageText is { } text)
            {
                // What feeds the next stage, as text, for when its content is not known (`pgrep x | xargs kill`).
                upstream = upstream is null ? text : upstream + " | " + text;
                if (upstream.Length > MaxUpstreamLength)
                {
                    upstream = upstream[^MaxUpstreamLength..];
                }
            }
        }

        return pipeline.Negated ? null : piped;
    }

    /// <summary>Walks one command; returns its standard output when it is statically known (for the next pipe stage).</summary>
    private string? WalkCommand(Command command, Frame frame, PipeState pipe)
    {
        switch (command)
        {
            case SimpleCommand simple:
                return AnalyzeSimple(simple, frame, pipe);
            case Subshell subshell:
                var savedVariables = _variables is null ? null : new Dictionary<string, string?>(_variables, StringComparer.Ordinal);
                var savedCandidates = _candidates?.ToDictionary(p => p.Key, p => new List<string>(p.Value), StringComparer.Ordinal);
                var savedCwd = Cwd;
                var subshellOutput = WalkList(subshell.Body, frame);

                // ( … ) runs in a child process: nothing it assigns or changes directory to survives it.
                _variables = savedVariables;
                _candidates = savedCandidates;

                Cwd = savedCwd;
                AnalyzeRedirections(command.Redirections, frame, null, subshellOutput);
                return command.Redirections.Count == 0 ? subshellOutput : null;
            case BraceGroup group:
                var groupOutput = WalkList(group.Body, frame);
                AnalyzeRedirections(command.Redirections, frame, null, groupOutput);
                return command.Redirections.Count == 0 ? groupOutput : null;
            case FunctionDefinition function:
                (_functions ??= new(StringComparer.Ordinal))[function.Name] = function.Body;
                return null;
            case IfCommand ifCommand:
                _conditional++;
                foreach (var (condition, body) in ifCommand.Branches)
                {
                    WalkList(condition, frame);
                    WalkList(body, frame);
                }

                if (ifCommand.Else is { } elseBody)
                {
                    WalkList(elseBody, frame);
                }

                _conditional--;
                break;
            case WhileCommand loop:
                _conditional++;
                WalkList(loop.Condition, frame);
                WalkList(loop.Body, frame);
                _conditional--;
                break;
            case ForCommand forCommand:
                WalkLoopVariable(forCommand.Variable, forCommand.Items, frame);
                _conditional++;
                WalkList(forCommand.Body, frame);
                _conditional--;
                break;
            case SelectCommand select:
                WalkLoopVariable(select.Variable, select.Items, frame);
                _conditional++;
                WalkList(select.Body, frame);
                _conditional--;
                break;
            case ArithmeticForCommand arithmeticFor:
                WalkExpansions(arithmeticFor.Expansions, frame);
                _conditional++;
                WalkList(arithmeticFor.Body, frame);
                _conditional--;
                break;
            case CaseCommand caseCommand:
                ExpandWord(caseCommand.Subject, frame);
                _conditional++;
                foreach (var item in caseCommand.Items)
                {
                    WalkList(item.Body, frame);
                }

                _conditional--;
                break;
            case ConditionalCommand conditional:
                foreach (var word in conditional.Words)
                {
                    ExpandWord(word, frame);
                }

                break;
            case ArithmeticCommand arithmetic:
                WalkExpansions(arithmetic.Expansions, frame);
                break;
            case CoprocCommand coproc:
                WalkCommand(coproc.Body, frame with { Detached = true, DetachedBy = frame.DetachedBy ?? "coproc" }, default);
                break;
        }

        AnalyzeRedirections(command.Redirections, frame, null, null);
        return null;
    }

    private void WalkLoopVariable(string variable, IReadOnlyList<Word>? items, Frame frame)
    {
        var values = new List<string>();
        var allKnown = true;
        foreach (var word in items ?? [])
        {
            foreach (var field in ExpandWord(word, frame))
            {
                if (field.Known && values.Count < 16)
                {
                    values.Add(field.Text);
                }
                else
                {
                    allKnown = false;
                }
            }
        }

        Variables[variable] = allKnown && values.Count > 0 ? values[0] : null;
        _candidates?.Remove(variable);
        if (values.Count > 1)
        {
            Candidates[variable] = values.Skip(1).ToList();
        }
    }

    private void WalkExpansions(IReadOnlyList<WordPart> parts, Frame frame)
    {
        var builder = new FieldBuilder();
        foreach (var part in parts)
        {
            AppendPart(part, frame, builder, quoted: true);
        }
    }

    // The fields of the command being analysed: borrowed from the thread (a nested command gets its own list).
    [ThreadStatic]
    private static List<Field>? t_fields;

    private string? AnalyzeSimple(SimpleCommand command, Frame frame, PipeState pipe)
    {
        var fields = t_fields ?? new List<Field>(8);
        t_fields = null;
        try
        {
            return AnalyzeSimple(command, frame, pipe, fields);
        }
        finally
        {
            fields.Clear();
            if (fields.Capacity <= 256)
            {
                t_fields = fields;
            }
        }
    }

    private string? AnalyzeSimple(SimpleCommand command, Frame frame, PipeState pipe, List<Field> fields)
    {
        var words = command.Words;
        for (var i = 0; i < words.Count; i++)
        {
            ExpandWordInto(words[i], frame, fields);
        }

        // The field list is pooled and cleared after the command: keep the stage's text, not the list.
        _lastStageText = pipe.ToPipe && fields.Count > 0 ? JoinTexts(fields, 0, string.Empty) : null;

        var assignments = command.Assignments.Count == 0 ? null : new List<(string Name, string? Value, TextSpan Span)>(command.Assignments.Count);
        for (var a = 0; a < command.Assignments.Count; a++)
        {
            var assignment = command.Assignments[a];
            string? value = null;
            if (assignment.Value is { } valueWord)
            {
                var expanded = ExpandWord(valueWord, frame, split: false);
                value = expanded.Count == 1 && expanded[0].Known ? expanded[0].Text : null;
            }
            else if (assignment.ArrayValue is null)
            {
                value = string.Empty;
            }
            else
            {
                foreach (var element in assignment.ArrayValue)
                {
                    ExpandWord(element, frame);
                }
            }

            WalkExpansions(assignment.Expansions, frame);
            assignments!.Add((assignment.Name, assignment.Append ? null : value, frame.Map.Map(assignment.Span)));
        }

        if (fields.Count == 0)
        {
            foreach (var (variable, value, _) in assignments ?? [])
            {
                Assign(variable, value);
            }

            AnalyzeRedirections(command.Redirections, frame, null, null);
            return null;
        }

        // Assignments before a command are exported to that command only.
        foreach (var (variable, value, span) in assignments ?? [])
        {
            Sink.Add(new EnvironmentChange(variable, value) { Source = frame.Source, Span = span, Via = frame.Via });
        }

        var program = fields[0];
        if (!program.Known)
        {
            Opaque("shell", $"the command name is computed at run time: {program.Text}", frame.Source, program.Span, frame.Via);
            AnalyzeRedirections(command.Redirections, frame, null, null);
            return null;
        }

        var name = program.Text;
        if (_aliases is not null && _aliases.TryGetValue(name, out var alias) && command.Words.Count > 0 && !(_expandingAliases?.Contains(name) ?? false))
        {
            var rest = string.Join(' ', fields.Skip(1).Select(f => ShellQuoting.Quote(f.Text)));
            // Non-interactive bash expands no aliases (and none on the line that defines them), an interactive one does:
            // both readings are analysed, so an alias can neither hide a command nor disguise one.
            // Bash never expands an alias again inside its own expansion (alias ls='ls -F' is not recursive).
            (_expandingAliases ??= new(StringComparer.Ordinal)).Add(name);
            try
            {
                AnalyzeText(alias + " " + rest, frame with { Map = new SpanMap(0, frame.Map.Map(command.Span)), Depth = frame.Depth + 1, Via = Chain(frame.Via, "alias " + name) });
            }
            finally
            {
                _expandingAliases.Remove(name);
            }
        }

        if (_functions is not null && _functions.TryGetValue(name, out var body))
        {
            if (_functionDepth < MaxFunctionCallDepth)
            {
                // Positional parameters are the call's arguments inside the body, and are restored after it.
                var saved = new Dictionary<string, string?>(StringComparer.Ordinal);
                var positional = fields.Skip(1).ToList();
                var names = new List<string> { "#", "@", "*" };
                names.AddRange(Enumerable.Range(1, Math.Max(positional.Count, 9)).Select(n => n.ToString(System.Globalization.CultureInfo.InvariantCulture)));
                foreach (var parameter in names)
                {
                    saved[parameter] = Variables.TryGetValue(parameter, out var old) ? old : Unset;
                }

                for (var n = 1; n <= Math.Max(positional.Count, 9); n++)
                {
                    Variables[n.ToString(System.Globalization.CultureInfo.InvariantCulture)] = n <= positional.Count ? (positional[n - 1].Known ? positional[n - 1].Text : null) : string.Empty;
                }

                var all = positional.All(f => f.Known) ? string.Join(' ', positional.Select(f => f.Text)) : null;
                Variables["@"] = all;
                Variables["*"] = all;
                Variables["#"] = positional.Count.ToString(System.Globalization.CultureInfo.InvariantCulture);
                _functionDepth++;
                WalkCommand(body, frame with { Via = Chain(frame.Via, name + "()") }, pipe);
                _functionDepth--;
                foreach (var (parameter, value) in saved)
                {
                    if (ReferenceEquals(value, Unset))
                    {
                        Variables.Remove(parameter);
                    }
                    else
                    {
                        Variables[parameter] = value;
                    }
                }
            }
            else
            {
                Opaque("shell", $"function '{name}' recurses deeper than {MaxFunctionCallDepth} calls", frame.Source, program.Span, frame.Via);
            }

            AnalyzeRedirections(command.Redirections, frame, null, null);
            return null;
        }

        var (stdinText, stdinFile) = StdinOf(command.Redirections, frame, pipe);
        string? stdout = null;
        switch (name)
        {
            case "eval":
                AnalyzeEval(fields, command, frame);
                break;
            case "source" or ".":
                AnalyzeSource(fields, frame, stdinText, pipe);
                break;
            case "cd" or "pushd":
                ChangeDirectory(fields);
                break;
            case "set" when fields.Count > 1 && fields[1].Text == "--":
                for (var n = 2; n < fields.Count && n < 64; n++)
                {
                    Assign((n - 1).ToString(System.Globalization.CultureInfo.InvariantCulture), fields[n].Known ? fields[n].Text : null);
                }

                break;
            case "read" or "readarray" or "mapfile":
                var firstLine = stdinText?.Split('\n')[0];
                foreach (var field in fields.Skip(1).Where(f => !f.Text.StartsWith('-')))
                {
                    Assign(field.Text, name == "read" ? firstLine : null);
                    firstLine = null;
                }

                break;
            case "export" or "declare" or "typeset" or "readonly" or "local":
                AnalyzeDeclaration(name, fields, frame);
                break;
            case "unset":
                var functions = fields.Skip(1).Any(f => f.Text == "-f");
                foreach (var field in fields.Skip(1).Where(f => !f.Text.StartsWith('-')))
                {
                    if (functions)
                    {
                        _functions?.Remove(field.Text);
                        continue;
                    }

                    // Unset, not unknown: ${x:-default} then expands to the default.
                    Variables[field.Text] = string.Empty;
                    _candidates?.Remove(field.Text);
                    Sink.Add(new EnvironmentChange(field.Text, null) { Source = frame.Source, Span = field.Span, Via = frame.Via });
                }

                break;
            case "alias":
                foreach (var field in fields.Skip(1))
                {
                    var eq = field.Text.IndexOf('=', StringComparison.Ordinal);
                    if (eq > 0)
                    {
                        (_aliases ??= new(StringComparer.Ordinal))[field.Text[..eq]] = field.Text[(eq + 1)..];
                    }
                }

                break;
            case "unalias":
                foreach (var field in fields.Skip(1))
                {
                    if (field.Text == "-a")
                    {
                        _aliases?.Clear();
                    }

                    _aliases?.Remove(field.Text);
                }

                break;
            case "disown":
                break;
            case "echo":
                stdout = Echo(fields);
                break;
            case "printf" when fields.Count > 2 && fields[1].Text == "-v":
                // printf -v VAR FORMAT ARGS: the output goes into the variable.
                var formatted = fields.Skip(3).All(f => f.Known) && fields[2].Known ? Printf([fields[0], .. fields.Skip(3)]) : null;
                Assign(fields[2].Text, formatted);
                break;
            case "printf":
                stdout = Printf(fields);
                break;
            default:
                stdout = ProgramLookup(name, fields);
                if (NonExecutingBuiltins.Contains(name))
                {
                    if (name is "set" or "history" && fields.Count > 1)
                    {
                        // They run nothing, but change what the shell records (set +o history, history -c).
                        ProgramSemantics.Analyze(BuildInvocation(command, fields, frame, pipe, stdinText, stdinFile), this);
                    }

                    break;
                }

                stdout ??= KnownOutput(name, fields, stdinText);
                if (IsShell(name) && fields.Count > 1 && ScriptText(fields[1], stdinText) is { } script && !fields[1].Text.StartsWith('-'))
                {
                    // bash <(echo …) and bash /dev/stdin <<EOF: the script is known, read it like bash would.
                    AnalyzeText(script, frame with { Map = new SpanMap(0, TextSpan.Union(fields[0].Span, fields[1].Span)), Depth = frame.Depth + 1, Via = Chain(frame.Via, name + " " + fields[1].Text) });
                    break;
                }

                ProgramSemantics.Analyze(BuildInvocation(command, fields, frame, pipe, stdinText, stdinFile), this);
                break;
        }

        AnalyzeRedirections(command.Redirections, frame, name, stdout ?? (name == "cat" && fields.Count == 1 ? stdinText : null));
        return RedirectsStdout(command.Redirections) ? null : stdout;
    }

    private static bool RedirectsStdout(IReadOnlyList<Redirection> redirections)
    {
        for (var r = 0; r < redirections.Count; r++)
        {
            var redirection = redirections[r];
            if (redirection.Fd is null or 1 && redirection.Op is RedirectionOperator.Output or RedirectionOperator.Append or RedirectionOperator.Clobber
                or RedirectionOperator.OutputAndError or RedirectionOperator.AppendOutputAndError or RedirectionOperator.DupOutput)
            {
                return true;
            }
        }

        return false;
    }

    private CommandInvocation BuildInvocation(SimpleCommand command, List<Field> fields, Frame frame, PipeState pipe, string? stdinText, string? stdinFile) => new()
    {
        Program = fields[0].Text,
        Arguments = ArgumentTexts(fields, 1),
        ArgumentSpans = ArgumentSpans(fields),
        Span = frame.Map.Map(command.Span),
        ProgramSpan = fields[0].Span,
        Source = frame.Source,
        WorkingDirectory = Cwd,
        Detached = frame.Detached,
        DetachedBy = frame.DetachedBy,
        Via = frame.Via,
        Depth = frame.Depth,
        StdinText = stdinText,
        StdinFile = stdinFile,
        StdinFromPipe = pipe.FromPipe && stdinText is null,
        StdinPipedFrom = pipe.FromPipe && stdinText is null ? pipe.Upstream : null,
        StdoutToPipe = pipe.ToPipe,
        TypeAhead = ReferenceEquals(command, _typeAheadCommand) && !pipe.FromPipe && stdinText is null && stdinFile is null ? _typeAhead : default,
        StdoutFile = command.Redirections.Count == 0 ? null : StdoutFileOf(command.Redirections),
    };

    /// <summary>Gets the file standard output goes to when it is named literally (the last <c>&gt;</c>-like redirection of descriptor 1).</summary>
    private string? StdoutFileOf(IReadOnlyList<Redirection> redirections)
    {
        string? file = null;
        foreach (var redirection in redirections)
        {
            if (redirection.Fd is null or 1 && redirection.Op is RedirectionOperator.Output or RedirectionOperator.Append or RedirectionOperator.Clobber
                    or RedirectionOperator.OutputAndError or RedirectionOperator.AppendOutputAndError
                && redirection.Target is { } target)
            {
                file = target.TryGetStaticText(out var text) && !IsPseudoDevice(text) && !TryParseNetworkDevice(text, out _, out _)
                    ? _context.Catalog.Normalize(text, Cwd)
                    : null;
            }
        }

        return file;
    }

    /// <summary>Gets the texts of <paramref name="fields"/> from index <paramref name="start"/> on.</summary>
    private static string[] ArgumentTexts(List<Field> fields, int start)
    {
        if (start >= fields.Count)
        {
            return [];
        }

        var texts = new string[fields.Count - start];
        for (var i = 0; i < texts.Length; i++)
        {
            texts[i] = fields[start + i].Text;
        }

        return texts;
    }

    /// <summary>Joins the texts of <paramref name="fields"/> from index <paramref name="start"/> on with spaces, then <paramref name="end"/>, in one allocation.</summary>
    private static string JoinTexts(List<Field> fields, int start, string end)
    {
        var length = end.Length;
        for (var i = start; i < fields.Count; i++)
        {
            length += fields[i].Text.Length + (i > start ? 1 : 0);
        }

        if (length == 0)
        {
            return string.Empty;
        }

        if (start == fields.Count - 1 && end.Length == 0)
        {
            return fields[start].Text;
        }

        return string.Create(length, (fields, start, end), static (span, state) =>
        {
            var (fields, start, end) = state;
            var at = 0;
            for (var i = start; i < fields.Count; i++)
            {
                if (i > start)
                {
                    span[at++] = ' ';
                }

                fields[i].Text.AsSpan().CopyTo(span[at..]);
                at += fields[i].Text.Length;
            }

            end.AsSpan().CopyTo(span[at..]);
        });
    }

    private static TextSpan[] ArgumentSpans(List<Field> fields)
    {
        if (fields.Count <= 1)
        {
            return [];
        }

        var spans = new TextSpan[fields.Count - 1];
        for (var i = 0; i < spans.Length; i++)
        {
            spans[i] = fields[i + 1].Span;
        }

        return spans;
    }

    private void AnalyzeEval(List<Field> fields, SimpleCommand command, Frame frame)
    {
        if (fields.Count < 2)
        {
            return;
        }

        Field? unknown = null;
        for (var i = 1; i < fields.Count && unknown is null; i++)
        {
            if (!fields[i].Known)
            {
                unknown = fields[i];
            }
        }

        if (unknown is { } first)
        {
            Opaque("shell", $"eval of a string computed at run time: {first.Text}", frame.Source, first.Span, frame.Via);
        }

        var code = string.Join(' ', fields.Skip(1).Select(f => f.Text));
        var span = TextSpan.Union(fields[1].Span, fields[^1].Span);
        var map = fields.Count == 2 ? SpanMap.For(SourceText(frame.Source), code, fields[1].Span) : new SpanMap(0, frame.Map.Map(command.Span));
        AnalyzeText(code, frame with { Map = map.Fixed is null && fields.Count == 2 ? map : new SpanMap(0, span), Depth = frame.Depth + 1, Via = Chain(frame.Via, "eval") }, reportSyntax: unknown is null);
    }

    private void AnalyzeSource(List<Field> fields, Frame frame, string? stdinText, PipeState pipe)
    {
        if (fields.Count < 2)
        {
            return;
        }

        var file = fields[1];
        if (ScriptText(file, stdinText) is { } script)
        {
            AnalyzeText(script, frame with { Map = new SpanMap(0, TextSpan.Union(fields[0].Span, file.Span)), Depth = frame.Depth + 1, Via = Chain(frame.Via, fields[0].Text) });
            return;
        }

        if (file.Text is "/dev/stdin" or "-" or "/proc/self/fd/0" or "/dev/fd/0" && pipe.FromPipe)
        {
            Opaque("shell", "sources a script read from a pipe whose content is not known", frame.Source, TextSpan.Union(fields[0].Span, file.Span), frame.Via);
            return;
        }

        if (!file.Known)
        {
            Opaque("shell", $"sources a file whose name is computed at run time: {file.Text}", frame.Source, file.Span, frame.Via);
            return;
        }

        Sink.Add(new ProcessLaunch(fields[0].Text, fields.Skip(1).Select(f => f.Text).ToArray())
        {
            Script = _context.Catalog.Normalize(file.Text, Cwd),
            Source = frame.Source,
            Span = TextSpan.Union(fields[0].Span, file.Span),
            Via = frame.Via,
            Detached = frame.Detached,
            DetachedBy = frame.DetachedBy,
            WorkingDirectory = Cwd,
        });
    }

    /// <summary>Returns the script a shell or <c>source</c> reads from <paramref name="file"/> when it is known: a process substitution's output, or standard input.</summary>
    private string? ScriptText(Field file, string? stdinText)
    {
        if (file.Text == "/dev/fd/63" && !file.Known && _processOutputs is not null && _processOutputs.TryGetValue(file.Span.Start, out var produced))
        {
            return produced;
        }

        return file.Text is "/dev/stdin" or "/proc/self/fd/0" or "/dev/fd/0" ? stdinText : null;
    }

    private void ChangeDirectory(List<Field> fields)
    {
        Field? target = null;
        for (var i = 1; i < fields.Count && target is null; i++)
        {
            if (fields[i].Text is not ("-P" or "-L" or "--"))
            {
                target = fields[i];
            }
        }

        if (target is null)
        {
            Cwd = _context.Catalog.HomeDirectory;
        }
        else if (target.Value.Known && target.Value.Text != "-")
        {
            var next = _context.Catalog.Normalize(target.Value.Text, Cwd);
            Cwd = next.StartsWith('/') ? next : null;
        }
        else
        {
            Cwd = null;
        }
    }

    private void AnalyzeDeclaration(string builtin, List<Field> fields, Frame frame)
    {
        var exported = builtin == "export";
        foreach (var field in fields.Skip(1))
        {
            if (field.Text.StartsWith('-'))
            {
                exported |= field.Text.Contains('x', StringComparison.Ordinal);
                continue;
            }

            var eq = field.Text.IndexOf('=', StringComparison.Ordinal);
            var name = eq > 0 ? field.Text[..eq] : field.Text;
            var value = eq > 0 ? (field.Known ? field.Text[(eq + 1)..] : null) : null;
            if (eq > 0)
            {
                Assign(name, value);
            }

            if (exported)
            {
                Sink.Add(new EnvironmentChange(name, eq > 0 ? value ?? field.Text[(eq + 1)..] : (_variables?.GetValueOrDefault(name) ?? string.Empty)) { Source = frame.Source, Span = field.Span, Via = frame.Via });
            }
        }
    }

    private (string? Text, string? File) StdinOf(IReadOnlyList<Redirection> redirections, Frame frame, PipeState pipe)
    {
        string? text = pipe.Piped;
        string? file = null;
        for (var r = 0; r < redirections.Count; r++)
        {
            var redirection = redirections[r];
            if (redirection.Fd is not (null or 0))
            {
                continue;
            }

            switch (redirection.Op)
            {
                case RedirectionOperator.HereDoc or RedirectionOperator.HereDocStrip when redirection.HereDoc is { } hereDoc:
                    var body = ExpandWord(hereDoc.Body, frame, split: false);
                    text = body.Count == 1 && body[0].Known ? body[0].Text : null;
                    break;
                case RedirectionOperator.HereString when redirection.Target is { } target:
                    var word = ExpandWord(target, frame, split: false);
                    text = word.Count == 1 && word[0].Known ? word[0].Text + "\n" : null;
                    break;
                case RedirectionOperator.Input when redirection.Target is { } target:
                    var input = ExpandWord(target, frame, split: false);
                    if (input.Count == 1)
                    {
                        file = _context.Catalog.Normalize(input[0].Text, Cwd);
                        text = null;
                    }

                    break;
            }
        }

        return (text, file);
    }

    private void AnalyzeRedirections(IReadOnlyList<Redirection> redirections, Frame frame, string? program, string? content)
    {
        for (var r = 0; r < redirections.Count; r++)
        {
            var redirection = redirections[r];
            if (redirection.Target is null)
            {
                continue;
            }

            var action = redirection.Op switch
            {
                RedirectionOperator.Output or RedirectionOperator.Clobber or RedirectionOperator.OutputAndError or RedirectionOperator.ReadWrite => FileAction.Write,
                RedirectionOperator.Append or RedirectionOperator.AppendOutputAndError => FileAction.Append,
                RedirectionOperator.DupOutput => FileAction.Write,
                RedirectionOperator.Input => FileAction.Read,
                _ => (FileAction?)null,
            };
            if (action is null)
            {
                continue;
            }

            var targets = ExpandWord(redirection.Target, frame, split: false);
            if (targets.Count != 1)
            {
                continue;
            }

            var target = targets[0];
            if (redirection.Op == RedirectionOperator.DupOutput && (target.Text == "-" || target.Text.All(char.IsAsciiDigit)))
            {
                continue; // 2>&1, >&- : descriptor duplication, not a file
            }

            if (TryParseNetworkDevice(target.Text, out var host, out var port))
            {
                // bash opens a TCP/UDP connection for /dev/tcp/HOST/PORT: writing to it sends data off the host.
                Sink.Add(new NetworkTransfer(action == FileAction.Read ? TransferDirection.Download : TransferDirection.Upload, program ?? "bash")
                {
                    Host = host,
                    Port = port,
                    Remote = target.Text,
                    Source = frame.Source,
                    Span = frame.Map.Map(redirection.Span),
                    Via = frame.Via,
                });
                continue;
            }

            if (IsPseudoDevice(target.Text))
            {
                continue;
            }

            var isOutput = action != FileAction.Read;
            Sink.Add(new FileOperation(action.Value, _context.Catalog.Normalize(target.Text, Cwd))
            {
                Content = isOutput ? content : null,
                Program = program ?? "redirection",
                Source = frame.Source,
                Span = frame.Map.Map(redirection.Span),
                Via = frame.Via,
            });
        }
    }

    private static bool TryParseNetworkDevice(string path, out string host, out int? port)
    {
        host = string.Empty;
        port = null;
        const string Tcp = "/dev/tcp/";
        const string Udp = "/dev/udp/";
        if (!path.StartsWith(Tcp, StringComparison.Ordinal) && !path.StartsWith(Udp, StringComparison.Ordinal))
        {
            return false;
        }

        var rest = path[Tcp.Length..];
        var slash = rest.IndexOf('/', StringComparison.Ordinal);
        host = slash < 0 ? rest : rest[..slash];
        if (slash >= 0 && int.TryParse(rest.AsSpan(slash + 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var parsed))
        {
            port = parsed;
        }

        return host.Length > 0;
    }

    private static bool IsShell(string program) => PathNormalizerName(program) is "bash" or "sh" or "dash" or "zsh" or "ksh" or "ash" or "mksh";

    private static bool IsPseudoDevice(string path) =>
        path is "/dev/null" or "/dev/stdout" or "/dev/stderr" or "/dev/tty" or "/dev/zero" or "/dev/random" or "/dev/urandom"
        || path.StartsWith("/dev/fd/", StringComparison.Ordinal) || path.StartsWith("/proc/self/fd/", StringComparison.Ordinal);

    private static string Echo(List<Field> fields)
    {
        var i = 1;
        var newline = true;
        var escapes = false;
        while (i < fields.Count && fields[i].Text.Length > 1 && fields[i].Text[0] == '-' && fields[i].Text.AsSpan(1).TrimStart("neE").IsEmpty)
        {
            newline &= !fields[i].Text.Contains('n', StringComparison.Ordinal);
            escapes = fields[i].Text.Contains('e', StringComparison.Ordinal) || (escapes && !fields[i].Text.Contains('E', StringComparison.Ordinal));
            i++;
        }

        if (escapes)
        {
            var text = Unescape(JoinTexts(fields, i, string.Empty));
            return newline ? text + "\n" : text;
        }

        return JoinTexts(fields, i, newline ? "\n" : string.Empty);
    }

    private static string Printf(List<Field> fields)
    {
        var args = fields.Skip(1).Where(f => f.Text != "--").Select(f => f.Text).ToList();
        if (args.Count > 1 && args[0] == "-v")
        {
            return string.Empty;
        }

        if (args.Count == 0)
        {
            return string.Empty;
        }

        var format = Unescape(args[0]);
        if (args.Count == 1)
        {
            return format.Replace("%%", "%", StringComparison.Ordinal);
        }

        // The common obfuscation is printf '%s' "payload" or printf 'c%s' p: substitute %s/%b/%d in order, reusing the format as bash does.
        var builder = new StringBuilder();
        var next = 1;
        do
        {
            for (var i = 0; i < format.Length; i++)
            {
                if (format[i] == '%' && i + 1 < format.Length)
                {
                    var conversion = format[i + 1];
                    i++;
                    if (conversion == '%')
                    {
                        builder.Append('%');
                    }
                    else
                    {
                        var value = next < args.Count ? args[next++] : string.Empty;
                        builder.Append(conversion == 'b' ? Unescape(value) : value);
                    }
                }
                else
                {
                    builder.Append(format[i]);
                }
            }
        }
        while (next < args.Count && builder.Length < 1_000_000);

        return builder.ToString();
    }

    /// <summary>Decodes the backslash escapes of <c>echo -e</c> and <c>printf</c> formats.</summary>
    internal static string Unescape(string text)
    {
        if (!text.Contains('\\', StringComparison.Ordinal))
        {
            return text;
        }

        var builder = new StringBuilder(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c != '\\' || i + 1 >= text.Length)
            {
                builder.Append(c);
                continue;
            }

            var e = text[++i];
            switch (e)
            {
                case 'n': builder.Append('\n'); break;
                case 't': builder.Append('\t'); break;
                case 'r': builder.Append('\r'); break;
                case 'a': builder.Append('\a'); break;
                case 'b': builder.Append('\b'); break;
                case 'f': builder.Append('\f'); break;
                case 'v': builder.Append('\v'); break;
                case 'e' or 'E': builder.Append('\u001b'); break;
                case '\\': builder.Append('\\'); break;
                case 'x':
                    var hex = 0;
                    var digits = 0;
                    while (digits < 2 && i + 1 < text.Length && char.IsAsciiHexDigit(text[i + 1]))
                    {
                        hex = (hex * 16) + Convert.ToInt32(text[++i].ToString(), 16);
                        digits++;
                    }

                    builder.Append(digits == 0 ? "\\x" : ((char)hex).ToString());
                    break;
                case '0' or '1' or '2' or '3' or '4' or '5' or '6' or '7':
                    var octal = e - '0';
                    var count = 1;
                    while (count < 3 && i + 1 < text.Length && text[i + 1] is >= '0' and <= '7')
                    {
                        octal = (octal * 8) + (text[++i] - '0');
                        count++;
                    }

                    builder.Append((char)(octal & 0xFF));
                    break;
                default:
                    builder.Append('\\').Append(e);
                    break;
            }
        }

        return builder.ToString();
    }

    /// <summary>Computes the output of the few programs whose output is a pure function of literal input (decoders, cat).</summary>
    /// <summary>
    /// The output of looking a program up (<c>command -v P</c>, <c>type -P P</c>, <c>which P</c>): a path ending in the
    /// program's name, so that <c>"$(command -v rm)" …</c> runs rm (the directory does not matter to the analysis).
    /// </summary>
    private static string? ProgramLookup(string name, List<Field> fields)
    {
        var lookup = name switch
        {
            "command" => fields.Count == 3 && fields[1].Text is "-v" or "-V",
            "type" => fields.Count == 3 && fields[1].Text is "-P" or "-p",
            "which" => fields.Count == 2,
            _ => false,
        };
        if (!lookup || !fields[^1].Known || fields[^1].Text.Length == 0 || fields[^1].Text.StartsWith('-'))
        {
            return null;
        }

        var program = fields[^1].Text;
        return (program.Contains('/', StringComparison.Ordinal) || (name == "command" && (NonExecutingBuiltins.Contains(program) || program is "eval" or "source" or "." or "exec" or "export" or "unset" or "alias" or "cd" or "trap"))
            ? program
            : "/usr/bin/" + program) + "\n";
    }

    private string? KnownOutput(string program, List<Field> fields, string? stdin)
    {
        if (stdin is null)
        {
            return null;
        }

        var name = PathNormalizerName(program);
        var args = fields.Skip(1).Select(f => f.Text).ToList();
        string? output = name switch
        {
            "cat" when args.Count == 0 || (args.Count == 1 && args[0] == "-") => stdin,
            "base64" or "base32" when args.Any(a => a is "-d" or "--decode" or "-D" || (a.StartsWith('-') && !a.StartsWith("--", StringComparison.Ordinal) && a.Contains('d', StringComparison.Ordinal))) => Decoders.Base64(stdin),
            "openssl" when args.Count > 0 && args[0] is "base64" or "enc" && args.Contains("-d") => Decoders.Base64(stdin),
            "xxd" when args.Contains("-r") && args.Any(a => a is "-p" or "-ps" or "-plain" or "-rp" or "-pr") => Decoders.Hex(stdin),
            "rev" => new string(stdin.TrimEnd('\n').Reverse().ToArray()) + "\n",
            "tr" => null,
            _ => null,
        };

        if (output is not null && name != "cat")
        {
            Sink.DecodedLength += output.Length;
            if (Sink.DecodedLength > _context.Limits.MaxDecodedLength)
            {
                return null;
            }
        }

        return output;
    }

    private static string PathNormalizerName(string program)
    {
        var slash = program.LastIndexOf('/');
        return slash < 0 ? program : program[(slash + 1)..];
    }

    // ---- word expansion ----

    /// <summary>Expands a word into fields the way bash would, as far as it can be known statically.</summary>
    private List<Field> ExpandWord(Word word, Frame frame, bool split = true)
    {
        var fields = new List<Field>(1);
        ExpandWordInto(word, frame, fields, split);
        return fields;
    }

    /// <summary>Expands a word and adds its fields to <paramref name="fields"/>.</summary>
    private void ExpandWordInto(Word word, Frame frame, List<Field> fields, bool split = true)
    {
        var parts = word.Parts;
        if (parts.Count == 1 && parts[0] is LiteralPart literal)
        {
            // The common case: one unquoted literal, which expands to itself (or to nothing when empty).
            if (literal.Text.Length > 0)
            {
                fields.Add(new Field(literal.Text, true, frame.Map.Map(word.Span)));
            }

            return;
        }

        var builder = new FieldBuilder();
        for (var i = 0; i < parts.Count; i++)
        {
            AppendPart(parts[i], frame, builder, quoted: false, split);
        }

        builder.Finish(frame.Map.Map(word.Span), MaxFieldsPerWord, fields);
        if (builder.Truncated)
        {
            Opaque("shell", $"a word expands to more than {MaxFieldsPerWord} fields; the rest was not analysed", frame.Source, frame.Map.Map(word.Span), frame.Via);
        }
    }

    private void AppendPart(WordPart part, Frame frame, FieldBuilder builder, bool quoted, bool split = true)
    {
        switch (part)
        {
            case LiteralPart literal:
                builder.Append(literal.Text);
                break;
            case SingleQuotedPart single:
                builder.MarkQuoted();
                builder.Append(single.Text);
                break;
            case AnsiCQuotedPart ansi:
                builder.MarkQuoted();
                builder.Append(ansi.Text);
                break;
            case DoubleQuotedPart dq:
                builder.MarkQuoted();
                for (var i = 0; i < dq.Parts.Count; i++)
                {
                    AppendPart(dq.Parts[i], frame, builder, quoted: true, split);
                }

                break;
            case LocaleQuotedPart locale:
                builder.MarkQuoted();
                foreach (var inner in locale.Parts)
                {
                    AppendPart(inner, frame, builder, quoted: true, split);
                }

                break;
            case TildePart tilde:
                builder.Append(tilde.User.Length == 0 ? _context.Catalog.HomeDirectory : (tilde.User == "root" ? "/root" : "/home/" + tilde.User));
                break;
            case GlobPart glob:
                builder.Append(glob.Pattern);
                break;
            case ParameterExpansionPart parameter:
                AppendParameter(parameter, frame, builder, quoted, split);
                break;
            case CommandSubstitutionPart substitution:
                // The commands inside run; when their output is known (echo, printf, decoders), it is the word's text.
                var substituted = WalkList(substitution.Body, frame with { Via = Chain(frame.Via, "$(…)") });
                if (substituted is null)
                {
                    // Its text, from the code itself: decoded or piped code maps onto the argument only approximately.
                    builder.AppendUnknown(frame.Code is { } code && substitution.Span.End <= code.Length
                        ? Truncate(code, substitution.Span)
                        : Truncate(SourceText(frame.Source), frame.Map.Map(substitution.Span)));
                }
                else if (!quoted && split && substituted.AsSpan().TrimEnd('\n').IndexOfAny(" \t\n") >= 0)
                {
                    builder.AppendSplit(substituted.TrimEnd('\n'));
                }
                else
                {
                    builder.Append(substituted.TrimEnd('\n'));
                }

                break;
            case ProcessSubstitutionPart process:
                var produced = WalkList(process.Body, frame with { Via = Chain(frame.Via, process.IsInput ? "<(…)" : ">(…)") });
                if (process.IsInput && produced is not null)
                {
                    (_processOutputs ??= [])[frame.Map.Map(process.Span).Start] = produced;
                }

                builder.AppendUnknown("/dev/fd/63");
                break;
            case ArithmeticExpansionPart arithmetic:
                WalkExpansions(arithmetic.Expansions, frame);
                builder.AppendUnknown("$((" + arithmetic.Expression + "))");
                break;
            case BraceExpansionPart brace:
                var alternatives = new List<List<Field>>();
                foreach (var alternative in brace.Alternatives)
                {
                    // An empty alternative is the empty string: /etc/p{,.bak} is /etc/p and /etc/p.bak.
                    var expanded = ExpandWord(alternative, frame, split: false);
                    alternatives.Add(expanded.Count == 0 ? [new Field(string.Empty, true, default)] : expanded);
                }

                builder.Branch(alternatives.SelectMany(a => a).ToList());
                break;
            case BraceRangePart range:
                builder.Branch(ExpandRange(range).Select(t => new Field(t, true, default)).ToList());
                break;
            default:
                foreach (var child in part.Children)
                {
                    if (child is WordPart inner)
                    {
                        AppendPart(inner, frame, builder, quoted, split);
                    }
                }

                break;
        }
    }

    private static string Truncate(string? source, TextSpan span)
    {
        if (source is null)
        {
            return "…";
        }

        var text = span.Slice(source);
        return text.Length > 60 ? text[..59] + "…" : text;
    }

    private void AppendParameter(ParameterExpansionPart parameter, Frame frame, FieldBuilder builder, bool quoted, bool split)
    {
        if (parameter.Argument is { } argument)
        {
            ExpandWord(argument, frame, split: false); // command substitutions inside ${x:-$(cmd)} run
        }

        WalkExpansions(parameter.Expansions, frame);
        var value = ResolveVariable(parameter.Name);
        if (parameter.Length || parameter.Indirect)
        {
            value = null;
        }
        else if (parameter.Operator is { } op)
        {
            value = ApplyOperator(value, op, parameter.Argument, frame);
        }

        if (value is null)
        {
            builder.AppendUnknown(parameter.Braced ? "${" + parameter.Name + "}" : "$" + parameter.Name);
            return;
        }

        if (parameter.Operator is null && !parameter.Length && !parameter.Indirect && _candidates is not null && _candidates.TryGetValue(parameter.Name, out var others) && others.Count > 0)
        {
            builder.Branch([new Field(value, true, default), .. others.Select(o => new Field(o, true, default))]);
            return;
        }

        if (!quoted && split && value.AsSpan().IndexOfAny(" \t\n") >= 0)
        {
            builder.AppendSplit(value);
        }
        else
        {
            builder.Append(value);
        }
    }

    private string? ApplyOperator(string? value, string op, Word? argument, Frame frame)
    {
        string? ArgumentText()
        {
            if (argument is null)
            {
                return string.Empty;
            }

            var fields = ExpandWord(argument, frame, split: false);
            return fields.Count == 1 && fields[0].Known ? fields[0].Text : null;
        }

        switch (op)
        {
            case ":-" or "-" or ":=" or "=":
                return value is { Length: > 0 } ? value : value is null ? null : ArgumentText();
            case ":+" or "+":
                return value is null ? null : value.Length > 0 ? ArgumentText() : string.Empty;
            case "#" or "##" or "%" or "%%":
                var pattern = ArgumentText();
                if (value is null || pattern is null || pattern.AsSpan().IndexOfAny("*?[") >= 0)
                {
                    return null;
                }

                return op[0] == '#'
                    ? (value.StartsWith(pattern, StringComparison.Ordinal) ? value[pattern.Length..] : value)
                    : (value.EndsWith(pattern, StringComparison.Ordinal) ? value[..^pattern.Length] : value);
            case "/" or "//":
                if (value is null || argument is null)
                {
                    return null;
                }

                var spec = ArgumentText();
                if (spec is null)
                {
                    return null;
                }

                var slash = spec.IndexOf('/', StringComparison.Ordinal);
                var find = slash < 0 ? spec : spec[..slash];
                var replace = slash < 0 ? string.Empty : spec[(slash + 1)..];
                if (find.Length == 0 || find.AsSpan().IndexOfAny("*?[") >= 0)
                {
                    return null;
                }

                if (op == "//")
                {
                    return value.Replace(find, replace, StringComparison.Ordinal);
                }

                var index = value.IndexOf(find, StringComparison.Ordinal);
                return index < 0 ? value : string.Concat(value.AsSpan(0, index), replace, value.AsSpan(index + find.Length));
            case "^^":
                return value?.ToUpperInvariant();
            case ",,":
                return value?.ToLowerInvariant();
            default:
                return null;
        }
    }

    private void Assign(string name, string? value)
    {
        if (_conditional > 0 && _variables is not null && _variables.TryGetValue(name, out var previous))
        {
            var list = Candidates.TryGetValue(name, out var existing) ? existing : Candidates[name] = [];
            if (value is not null && value != previous && !list.Contains(value) && list.Count < 16)
            {
                list.Add(value);
            }

            if (previous is null)
            {
                _variables[name] = value;
            }

            return;
        }

        Variables[name] = value;
        _candidates?.Remove(name);
    }

    private string? ResolveVariable(string name)
    {
        if (_variables is not null && _variables.TryGetValue(name, out var value))
        {
            return value;
        }

        return name switch
        {
            "HOME" => _context.Catalog.HomeDirectory,
            "IFS" => " \t\n",
            "PWD" => Cwd,
            _ => null,
        };
    }

    private static IEnumerable<string> ExpandRange(BraceRangePart range)
    {
        var step = 1;
        if (range.Step is { } s && (!int.TryParse(s, System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out step) || step == 0))
        {
            step = 1;
        }

        step = Math.Abs(step);
        if (int.TryParse(range.From, System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out var from)
            && int.TryParse(range.To, System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out var to))
        {
            var count = 0;
            for (var i = from; from <= to ? i <= to : i >= to; i += from <= to ? step : -step)
            {
                if (++count > MaxFieldsPerWord)
                {
                    yield break;
                }

                yield return i.ToString(System.Globalization.CultureInfo.InvariantCulture);
            }

            yield break;
        }

        if (range.From.Length == 1 && range.To.Length == 1)
        {
            var a = range.From[0];
            var b = range.To[0];
            for (var c = a; a <= b ? c <= b : c >= b; c = (char)(a <= b ? c + step : c - step))
            {
                yield return c.ToString();
            }
        }
    }

    /// <summary>Argument texts by name: almost always one, which needs no dictionary.</summary>
    private sealed class SourceTexts
    {
        private string? _name;
        private string? _text;
        private Dictionary<string, string>? _more;

        public void Set(string name, string text)
        {
            if (_name is null || string.Equals(_name, name, StringComparison.Ordinal))
            {
                (_name, _text) = (name, text);
            }
            else
            {
                (_more ??= new(StringComparer.Ordinal))[name] = text;
            }
        }

        public string? Get(string name) =>
            string.Equals(_name, name, StringComparison.Ordinal) ? _text : _more is not null && _more.TryGetValue(name, out var text) ? text : null;
    }

    /// <summary>Where a piece of shell code comes from and how it is reached.</summary>
    /// <summary>Where code being walked comes from: the tool argument, how its spans map there, and the code itself (spans index it).</summary>
    private readonly record struct Frame(string Source, SpanMap Map, int Depth, string? Via, bool Detached, string? DetachedBy, string? Code = null);

    /// <summary>A command's place in its pipeline: fed by a pipe (with the producer's output when known), feeding one.</summary>
    private readonly record struct PipeState(bool FromPipe, string? Piped, bool ToPipe, string? Upstream = null);
}
