using Guardrails.Actions;
using Guardrails.Interpreters;
using Guardrails.Shell;
using Guardrails.Shell.Programs;

namespace Guardrails.Python;

/// <summary>Where a piece of Python code comes from and how it is reached.</summary>
internal sealed record PythonScope(string Source, SpanMap Map, int Depth, string? Via, string? WorkingDirectory)
{
    public bool Detached { get; init; }

    public string? DetachedBy { get; init; }
}

/// <summary>
/// Finds the replication-relevant calls in Python code without running it: processes (<c>subprocess</c>,
/// <c>os.system</c>, <c>os.exec*</c>), file copies (<c>shutil</c>, <c>os.rename</c>), writes (<c>open(…, 'w')</c>), uploads
/// (<c>requests</c>, <c>urllib</c>), signal handlers and forks. Literal arguments (and variables assigned literals) are
/// resolved; shell strings are analysed as shell code; anything computed becomes opaque code.
/// </summary>
/// <remarks>
/// This is a token-level reader, not a Python parser: it is linear in the input, never throws, and errs on the side
/// of reporting (an unresolvable dangerous call is opaque, never ignored).
/// </remarks>
internal static class PythonAnalyzer
{
    private static readonly Dictionary<string, string> ModuleMembers = new(StringComparer.Ordinal)
    {
        ["system"] = "os.system", ["popen"] = "os.popen", ["run"] = "subprocess.run", ["call"] = "subprocess.call",
        ["check_call"] = "subprocess.check_call", ["check_output"] = "subprocess.check_output", ["Popen"] = "subprocess.Popen",
        ["getoutput"] = "subprocess.getoutput", ["getstatusoutput"] = "subprocess.getstatusoutput",
        ["copy"] = "shutil.copy", ["copy2"] = "shutil.copy2", ["copyfile"] = "shutil.copyfile", ["copytree"] = "shutil.copytree",
        ["move"] = "shutil.move", ["make_archive"] = "shutil.make_archive", ["rmtree"] = "shutil.rmtree",
    };

    public static void Analyze(string code, PythonScope scope, ShellAnalyzer host)
    {
        var context = host.Context;
        if (scope.Depth > context.Limits.MaxNestingDepth)
        {
            host.Opaque("python", $"inline code nested deeper than {context.Limits.MaxNestingDepth} levels", scope.Source, scope.Map.Map(new TextSpan(0, code.Length)), scope.Via);
            return;
        }

        var tokens = PythonTokenizer.Tokenize(code, out var complete);
        if (!complete)
        {
            host.Opaque("python", "the Python code could not be read (unterminated string or too long)", scope.Source, scope.Map.Map(new TextSpan(0, code.Length)), scope.Via);
        }

        new Reader(tokens, scope, host).Run();
    }

    private sealed class Reader(List<PyToken> tokens, PythonScope scope, ShellAnalyzer host)
    {
        private readonly Dictionary<string, string> _aliases = new(StringComparer.Ordinal);
        private readonly Dictionary<string, string> _strings = new(StringComparer.Ordinal);
        private readonly Dictionary<string, string> _writers = new(StringComparer.Ordinal);
        private bool _detached = scope.Detached;
        private bool _served;
        private string? _detachedBy = scope.DetachedBy;

        private OperationSink Sink => host.Sink;

        public void Run()
        {
            for (var i = 0; i < tokens.Count && !Sink.IsFull; i++)
            {
                var token = tokens[i];
                if (token.Kind != PyTokenKind.Name)
                {
                    continue;
                }

                if (token.Text is "import" or "from")
                {
                    i = ReadImport(i);
                    continue;
                }

                // NAME = 'literal'
                if (i + 2 < tokens.Count && tokens[i + 1].Is("=") && tokens[i + 2].Kind == PyTokenKind.String
                    && (i + 3 >= tokens.Count || tokens[i + 3].Kind == PyTokenKind.Newline || tokens[i + 3].Is(";")))
                {
                    _strings[token.Text] = tokens[i + 2].Text;
                    continue;
                }

                if (EnvironmentItem(i) is { } item)
                {
                    i = item;
                    continue;
                }

                if (token.Text.EndsWith("SimpleHTTPRequestHandler", StringComparison.Ordinal) || token.Text.EndsWith("CGIHTTPRequestHandler", StringComparison.Ordinal))
                {
                    ServeFiles(token);
                }

                if (i + 1 < tokens.Count && tokens[i + 1].Is("("))
                {
                    var name = Canonical(token.Text);
                    var (args, end) = ReadArguments(i + 1);
                    Call(name, args, token, end < tokens.Count ? tokens[end] : token);
                    TrackWriter(name, args, i, end);
                }
            }
        }

        // os.environ['NAME'] = value, and del os.environ['NAME']: the environment of every program started later.
        private int? EnvironmentItem(int i)
        {
            if (Canonical(tokens[i].Text) is not ("os.environ" or "os.environb") || i + 3 >= tokens.Count
                || !tokens[i + 1].Is("[") || tokens[i + 2].Kind != PyTokenKind.String || !tokens[i + 3].Is("]"))
            {
                return null;
            }

            var deleted = i > 0 && tokens[i - 1].Kind == PyTokenKind.Name && tokens[i - 1].Text == "del";
            var assigned = i + 4 < tokens.Count && tokens[i + 4].Is("=");
            if (!deleted && !assigned)
            {
                return null; // a read
            }

            var value = assigned && i + 5 < tokens.Count && tokens[i + 5].Kind == PyTokenKind.String ? tokens[i + 5].Text : assigned ? "?" : null;
            Environment(tokens[i + 2].Text, value, scope.Map.Map(new TextSpan(tokens[i].Start, Math.Max(tokens[i + 3].End - tokens[i].Start, 0))));
            return i + 3;
        }

        private void Environment(string name, string? value, TextSpan span) =>
            Sink.Add(new EnvironmentChange(name, value) { Source = scope.Source, Span = span, Via = scope.Via });

        private int ReadImport(int i)
        {
            // import a.b as c | from a import b as c, d
            if (tokens[i].Text == "import")
            {
                var j = i + 1;
                while (j < tokens.Count && tokens[j].Kind != PyTokenKind.Newline && !tokens[j].Is(";"))
                {
                    if (tokens[j].Kind == PyTokenKind.Name && j + 2 < tokens.Count && tokens[j + 1].Text == "as" && tokens[j + 2].Kind == PyTokenKind.Name)
                    {
                        _aliases[tokens[j + 2].Text] = tokens[j].Text;
                        j += 3;
                        continue;
                    }

                    j++;
                }

                return j;
            }

            var k = i + 1;
            var module = k < tokens.Count ? tokens[k].Text : string.Empty;
            k++;
            while (k < tokens.Count && tokens[k].Kind != PyTokenKind.Newline && !tokens[k].Is(";"))
            {
                if (tokens[k].Kind == PyTokenKind.Name && tokens[k].Text is not ("import" or "as"))
                {
                    var member = tokens[k].Text;
                    var alias = member;
                    if (k + 2 < tokens.Count && tokens[k + 1].Text == "as")
                    {
                        alias = tokens[k + 2].Text;
                        k += 2;
                    }

                    _aliases[alias] = module + "." + member;
                }

                k++;
            }

            return k;
        }

        private string Canonical(string dotted)
        {
            var dot = dotted.IndexOf('.', StringComparison.Ordinal);
            var head = dot < 0 ? dotted : dotted[..dot];
            if (_aliases.TryGetValue(head, out var target))
            {
                return dot < 0 ? target : target + dotted[dot..];
            }

            return dotted;
        }

        private (List<Arg> Args, int End) ReadArguments(int open)
        {
            var args = new List<Arg>();
            var depth = 0;
            var current = new List<PyToken>();
            var i = open;
            for (; i < tokens.Count; i++)
            {
                var t = tokens[i];
                if (t.Is("(") || t.Is("[") || t.Is("{"))
                {
                    depth++;
                    if (depth == 1)
                    {
                        continue;
                    }
                }
                else if (t.Is(")") || t.Is("]") || t.Is("}"))
                {
                    depth--;
                    if (depth == 0)
                    {
                        break;
                    }
                }
                else if (t.Is(",") && depth == 1)
                {
                    args.Add(MakeArg(current));
                    current = [];
                    continue;
                }

                if (depth >= 1 && t.Kind != PyTokenKind.Newline)
                {
                    current.Add(t);
                }
            }

            if (current.Count > 0)
            {
                args.Add(MakeArg(current));
            }

            return (args, i);
        }

        private Arg MakeArg(List<PyToken> parts)
        {
            string? keyword = null;
            var start = 0;
            if (parts.Count > 2 && parts[0].Kind == PyTokenKind.Name && parts[1].Is("="))
            {
                keyword = parts[0].Text;
                start = 2;
            }

            var value = parts.GetRange(start, parts.Count - start);
            return new Arg(keyword, value, Literal(value), LiteralList(value));
        }

        /// <summary>Resolves 'a' + 'b', a name bound to a literal, or a plain literal; null otherwise.</summary>
        private string? Literal(List<PyToken> value)
        {
            if (value.Count == 0)
            {
                return null;
            }

            var text = string.Empty;
            for (var i = 0; i < value.Count; i++)
            {
                var t = value[i];
                if (i % 2 == 1)
                {
                    if (!t.Is("+"))
                    {
                        return null;
                    }

                    continue;
                }

                if (t.Kind == PyTokenKind.String && !t.Formatted)
                {
                    text += t.Text;
                }
                else if (t.Kind == PyTokenKind.Name && _strings.TryGetValue(t.Text, out var bound))
                {
                    text += bound;
                }
                else
                {
                    return null;
                }
            }

            return text;
        }

        private List<string>? LiteralList(List<PyToken> value)
        {
            if (value.Count < 2 || !(value[0].Is("[") || value[0].Is("(")))
            {
                return null;
            }

            var items = new List<string>();
            var current = new List<PyToken>();
            for (var i = 1; i < value.Count - 1; i++)
            {
                if (value[i].Is(","))
                {
                    if (Literal(current) is not { } item)
                    {
                        return null;
                    }

                    items.Add(item);
                    current = [];
                    continue;
                }

                current.Add(value[i]);
            }

            if (current.Count > 0)
            {
                if (Literal(current) is not { } last)
                {
                    return null;
                }

                items.Add(last);
            }

            return items;
        }

        private void Call(string name, List<Arg> args, PyToken start, PyToken end)
        {
            var span = scope.Map.Map(new TextSpan(start.Start, Math.Max(end.End - start.Start, 0)));
            var positional = args.Where(a => a.Keyword is null).ToList();
            Arg? Keyword(string key) => args.FirstOrDefault(a => a.Keyword == key);
            Arg? Positional(int index) => index < positional.Count ? positional[index] : null;

            var bare = name.Contains('.', StringComparison.Ordinal) ? null : name;
            if (bare is not null && ModuleMembers.TryGetValue(bare, out var member) && _aliases.ContainsKey(bare))
            {
                name = member;
            }

            switch (name)
            {
                case "os.system" or "os.popen" or "subprocess.getoutput" or "subprocess.getstatusoutput" or "commands.getoutput" or "asyncio.create_subprocess_shell" or "pty.spawn" when Positional(0) is { } command:
                    RunShell(command, name, span);
                    break;
                case "subprocess.run" or "subprocess.call" or "subprocess.check_call" or "subprocess.check_output" or "subprocess.Popen" or "asyncio.create_subprocess_exec":
                    RunProcess(name, args, Positional(0) ?? Keyword("args"), span);
                    break;
                case var exec when exec.StartsWith("os.exec", StringComparison.Ordinal) || exec.StartsWith("os.spawn", StringComparison.Ordinal) || exec.StartsWith("os.posix_spawn", StringComparison.Ordinal):
                    RunExec(name, positional, span);
                    break;
                case "shutil.copy" or "shutil.copy2" or "shutil.copyfile" or "shutil.copytree" or "shutil.move" or "os.rename" or "os.replace" or "os.renames" or "os.link" or "os.symlink" or "distutils.dir_util.copy_tree":
                    FileTransfer(name, Positional(0) ?? Keyword("src"), Positional(1) ?? Keyword("dst"), span);
                    break;
                case "shutil.make_archive":
                    Archive(Positional(0), Positional(2) ?? Keyword("root_dir"), span);
                    break;
                case "shutil.rmtree" or "os.remove" or "os.unlink" or "os.rmdir" or "os.removedirs":
                    PathOperation(FileAction.Delete, Positional(0), name, span);
                    break;
                case "os.chmod" or "os.chown" or "os.lchown":
                    PathOperation(FileAction.PermissionChange, Positional(0), name, span);
                    break;
                case "open" or "io.open" or "codecs.open":
                    Open(Positional(0) ?? Keyword("file"), Positional(1) ?? Keyword("mode"), span);
                    break;
                case "os.fork" or "os.forkpty" or "os.setsid" or "os.daemon" or "daemon.DaemonContext":
                    _detached = true;
                    _detachedBy = name;
                    Sink.Add(new ProcessLaunch("python", [name]) { Detached = true, DetachedBy = name, Source = scope.Source, Span = span, Via = scope.Via, WorkingDirectory = scope.WorkingDirectory });
                    break;
                case "signal.signal" when Positional(0) is { } signal:
                    var signalName = string.Join(string.Empty, signal.Tokens.Select(t => t.Text)).Replace("signal.", string.Empty, StringComparison.Ordinal);
                    var handler = Positional(1) is { } h ? string.Join(string.Empty, h.Tokens.Select(t => t.Text)) : string.Empty;
                    Sink.Add(new SignalTrap([signalName], handler.Contains("SIG_DFL", StringComparison.Ordinal) ? null : handler.Contains("SIG_IGN", StringComparison.Ordinal) ? string.Empty : handler)
                    {
                        Source = scope.Source,
                        Span = span,
                        Via = scope.Via,
                    });
                    break;
                case "os.putenv" or "os.unsetenv" or "os.environ.pop" or "os.environ.setdefault" or "os.environ.__setitem__" or "os.environ.__delitem__" when Positional(0)?.Literal is { } variable:
                    Environment(variable, name is "os.putenv" or "os.environ.setdefault" or "os.environ.__setitem__" ? Positional(1)?.Literal ?? "?" : null, span);
                    break;
                case "os.environ.update":
                    foreach (var arg in args)
                    {
                        if (arg.Keyword is { } keyword)
                        {
                            Environment(keyword, arg.Literal ?? "?", span);
                            continue;
                        }

                        // A dictionary literal: its string keys are the variables it sets.
                        for (var t = 0; t + 1 < arg.Tokens.Count; t++)
                        {
                            if (arg.Tokens[t].Kind == PyTokenKind.String && arg.Tokens[t + 1].Is(":"))
                            {
                                Environment(arg.Tokens[t].Text, "?", span);
                            }
                        }
                    }

                    break;
                case "os.kill" or "os.killpg":
                    // An unresolved target keeps its text (int(open('/run/guardrails.pid').read())), which still names what it reads.
                    Sink.Add(new SignalSend(Positional(1) is { } sig ? string.Join(string.Empty, sig.Tokens.Select(t => t.Text)).Replace("signal.", string.Empty, StringComparison.Ordinal) : "TERM", [Positional(0) is { } target ? target.Literal ?? string.Join(string.Empty, target.Tokens.Select(t => t.Text)) : "?"])
                    {
                        Program = name,
                        Source = scope.Source,
                        Span = span,
                        Via = scope.Via,
                    });
                    break;
                case var http when IsHttpCall(http):
                    Http(http, args, Positional(0) ?? Keyword("url"), span);
                    break;
                case "exec" or "eval" or "compile" or "builtins.exec" or "builtins.eval":
                    if (Positional(0)?.Literal is { } inner)
                    {
                        Analyze(inner, scope with { Map = new SpanMap(0, span), Depth = scope.Depth + 1, Via = ShellAnalyzer.Chain(scope.Via, name) }, host);
                    }
                    else if (Positional(0) is not null)
                    {
                        host.Opaque("python", $"{name}() of code computed at run time", scope.Source, span, scope.Via);
                    }

                    break;
                case "__import__" or "importlib.import_module" or "getattr" when Positional(0) is { } first && (first.Literal is null || (name == "getattr" && Positional(1)?.Literal is null)):
                    if (name != "getattr" || IsDangerousModule(first))
                    {
                        host.Opaque("python", $"{name}() with a name computed at run time", scope.Source, span, scope.Via);
                    }

                    break;
                case "ctypes.CDLL" or "ctypes.cdll.LoadLibrary":
                    host.Opaque("python", "loads native code", scope.Source, span, scope.Via);
                    break;
                case var write when write.EndsWith(".write", StringComparison.Ordinal) && _writers.TryGetValue(write[..^".write".Length], out var writer):
                    Written(writer, args, span);
                    break;
            }
        }

        private static bool IsDangerousModule(Arg arg) =>
            arg.Tokens.Count == 1 && arg.Tokens[0].Text is "os" or "subprocess" or "shutil" or "pty" or "socket" or "builtins" or "__builtins__";

        private static bool IsHttpCall(string name) =>
            name is "requests.post" or "requests.put" or "requests.patch" or "requests.get" or "requests.request" or "httpx.post" or "httpx.put" or "httpx.get"
                or "urllib.request.urlopen" or "urllib.request.Request" or "urllib2.urlopen" or "session.post" or "s.post";

        private CommandInvocation Invocation(TextSpan span) => new()
        {
            Program = "python",
            Arguments = [],
            ArgumentSpans = [],
            Span = span,
            ProgramSpan = span,
            Source = scope.Source,
            WorkingDirectory = scope.WorkingDirectory,
            Detached = _detached,
            DetachedBy = _detachedBy,
            Via = scope.Via,
            Depth = scope.Depth,
        };

        private void RunShell(Arg command, string via, TextSpan span)
        {
            if (command.Literal is { } text)
            {
                host.AnalyzeShell(text, command.Span(scope, span), Invocation(span), via);
            }
            else if (command.List is { Count: > 0 } list)
            {
                RunArgv(list, span, via, false, null);
            }
            else
            {
                host.Opaque("python", $"{via}() of a command computed at run time", scope.Source, span, scope.Via);
            }
        }

        private void RunProcess(string name, List<Arg> args, Arg? command, TextSpan span)
        {
            if (command is null)
            {
                host.Opaque("python", $"{name}() with no readable command", scope.Source, span, scope.Via);
                return;
            }

            var shell = args.Any(a => a.Keyword == "shell" && a.Tokens.Count == 1 && a.Tokens[0].Text == "True");
            var newSession = args.Any(a => (a.Keyword == "start_new_session" && a.Tokens.Count == 1 && a.Tokens[0].Text == "True")
                || (a.Keyword == "preexec_fn" && a.Tokens.Any(t => t.Text.EndsWith("setsid", StringComparison.Ordinal) || t.Text.EndsWith("setpgrp", StringComparison.Ordinal))));
            var detached = newSession || name is "subprocess.Popen" or "asyncio.create_subprocess_exec";
            var detachedBy = newSession ? "start_new_session" : detached ? name : null;
            if (command.List is { Count: > 0 } list && !shell)
            {
                RunArgv(list, span, name, detached, detachedBy);
                return;
            }

            var text = command.Literal ?? (command.List is { } parts ? string.Join(' ', parts) : null);
            if (text is null)
            {
                host.Opaque("python", $"{name}() of a command computed at run time", scope.Source, span, scope.Via);
                return;
            }

            var invocation = Invocation(span);
            if (detached)
            {
                invocation = new CommandInvocation
                {
                    Program = invocation.Program,
                    Arguments = [],
                    ArgumentSpans = [],
                    Span = span,
                    ProgramSpan = span,
                    Source = scope.Source,
                    WorkingDirectory = scope.WorkingDirectory,
                    Detached = true,
                    DetachedBy = detachedBy,
                    Via = scope.Via,
                    Depth = scope.Depth,
                };
            }

            host.AnalyzeShell(text, command.Span(scope, span), invocation, name);
        }

        private void RunExec(string name, List<Arg> positional, TextSpan span)
        {
            // os.execv(path, args) / os.execlp(file, arg0, arg1, …) / os.spawnv(mode, path, args)
            var offset = name.StartsWith("os.spawn", StringComparison.Ordinal) ? 1 : 0;
            if (positional.Count <= offset || positional[offset].Literal is not { } program)
            {
                host.Opaque("python", $"{name}() of a program computed at run time", scope.Source, span, scope.Via);
                return;
            }

            List<string> argv;
            if (positional.Count > offset + 1 && positional[offset + 1].List is { } list)
            {
                argv = list.Count > 0 ? list.Skip(1).ToList() : [];
            }
            else
            {
                argv = positional.Skip(offset + 2).Select(a => a.Literal ?? "?").ToList();
            }

            RunArgv([program, .. argv], span, name, _detached, _detachedBy);
        }

        private void RunArgv(List<string> argv, TextSpan span, string via, bool detached, string? detachedBy)
        {
            host.AnalyzeInvocation(new CommandInvocation
            {
                Program = argv[0],
                Arguments = argv.Skip(1).ToArray(),
                ArgumentSpans = argv.Skip(1).Select(_ => span).ToArray(),
                Span = span,
                ProgramSpan = span,
                Source = scope.Source,
                WorkingDirectory = scope.WorkingDirectory,
                Detached = detached || _detached,
                DetachedBy = detachedBy ?? _detachedBy,
                Via = ShellAnalyzer.Chain(scope.Via, via),
                Depth = scope.Depth + 1,
            });
        }

        private string Normalize(string path) => host.Context.Catalog.Normalize(path, scope.WorkingDirectory);

        private void FileTransfer(string name, Arg? source, Arg? destination, TextSpan span)
        {
            if (source?.Literal is not { } from)
            {
                host.Opaque("python", $"{name}() of a path computed at run time", scope.Source, span, scope.Via);
                return;
            }

            var action = name switch
            {
                "shutil.move" or "os.rename" or "os.replace" or "os.renames" => FileAction.Move,
                "os.link" or "os.symlink" => FileAction.Link,
                _ => FileAction.Copy,
            };
            var to = destination?.Literal;
            Sink.Add(new FileOperation(action, to is null ? "?" : Normalize(to))
            {
                Sources = [Normalize(from)],
                Recursive = name.Contains("tree", StringComparison.Ordinal) || action == FileAction.Move,
                Program = name,
                Source = scope.Source,
                Span = span,
                Via = scope.Via,
            });
        }

        private void Archive(Arg? baseName, Arg? root, TextSpan span)
        {
            if (root?.Literal is not { } rootDir)
            {
                host.Opaque("python", "shutil.make_archive() of a directory computed at run time", scope.Source, span, scope.Via);
                return;
            }

            Sink.Add(new FileOperation(FileAction.Copy, baseName?.Literal is { } b ? Normalize(b) : "?")
            {
                Sources = [Normalize(rootDir)],
                Recursive = true,
                Archive = true,
                Program = "shutil.make_archive",
                Source = scope.Source,
                Span = span,
                Via = scope.Via,
            });
        }

        private void PathOperation(FileAction action, Arg? path, string name, TextSpan span)
        {
            if (path?.Literal is not { } literal)
            {
                return;
            }

            Sink.Add(new FileOperation(action, Normalize(literal)) { Program = name, Source = scope.Source, Span = span, Via = scope.Via, Recursive = name == "shutil.rmtree" });
        }

        private void Open(Arg? file, Arg? mode, TextSpan span)
        {
            if (file?.Literal is not { } path)
            {
                return;
            }

            var m = mode?.Literal ?? "r";
            var action = m.Contains('a', StringComparison.Ordinal) ? FileAction.Append
                : m.AsSpan().IndexOfAny("wx+") >= 0 ? FileAction.Write : FileAction.Read;
            Sink.Add(new FileOperation(action, Normalize(path)) { Program = "open", Source = scope.Source, Span = span, Via = scope.Via });
        }

        // What a script writes, when it is literal, so that running the file later is judged by it:
        // `with open(p, 'w') as f: f.write('…')`, `f = open(p, 'w')`, `open(p, 'w').write('…')`, `Path(p).write_text('…')`.
        private void TrackWriter(string name, List<Arg> args, int start, int end)
        {
            var positional = args.Where(a => a.Keyword is null).ToList();
            string? path = null;
            var method = "write";
            if (name is "open" or "io.open" or "codecs.open")
            {
                var mode = (positional.Count > 1 ? positional[1] : args.FirstOrDefault(a => a.Keyword == "mode"))?.Literal ?? "r";
                if ((positional.Count > 0 ? positional[0] : args.FirstOrDefault(a => a.Keyword == "file"))?.Literal is { } file && mode.AsSpan().IndexOfAny("wax+") >= 0)
                {
                    path = Normalize(file);
                }
            }
            else if (name is "pathlib.Path" or "pathlib.PosixPath" && positional.Count > 0 && positional[0].Literal is { } file)
            {
                path = Normalize(file);
                method = "write_text";
            }

            if (path is null)
            {
                return;
            }

            if (method == "write" && start >= 2 && tokens[start - 1].Is("=") && tokens[start - 2].Kind == PyTokenKind.Name)
            {
                _writers[tokens[start - 2].Text] = path;
            }

            if (method == "write" && end + 2 < tokens.Count && tokens[end + 1].Text == "as" && tokens[end + 2].Kind == PyTokenKind.Name)
            {
                _writers[tokens[end + 2].Text] = path;
            }

            if (end + 3 < tokens.Count && tokens[end + 1].Is(".") && tokens[end + 2].Text == method && tokens[end + 3].Is("("))
            {
                var (written, writeEnd) = ReadArguments(end + 3);
                var last = writeEnd < tokens.Count ? tokens[writeEnd] : tokens[end];
                Written(path, written, scope.Map.Map(new TextSpan(tokens[start].Start, Math.Max(last.End - tokens[start].Start, 0))));
            }
        }

        private void Written(string path, List<Arg> args, TextSpan span)
        {
            if (args.FirstOrDefault(a => a.Keyword is null)?.Literal is { } content)
            {
                Sink.Add(new FileOperation(FileAction.Append, path) { Content = content, Program = "open", Source = scope.Source, Span = span, Via = scope.Via });
            }
        }

        /// <summary>The standard library's file-serving handler: whoever connects can read the working directory.</summary>
        private void ServeFiles(PyToken token)
        {
            if (_served)
            {
                return;
            }

            _served = true;
            var span = scope.Map.Map(new TextSpan(token.Start, Math.Max(token.End - token.Start, 0)));
            Sink.Add(new NetworkListen("python") { Source = scope.Source, Span = span, Via = scope.Via });
            Sink.Add(new NetworkTransfer(TransferDirection.Upload, "python")
            {
                Source = scope.Source,
                Span = span,
                Via = scope.Via,
                Host = "0.0.0.0",
                LocalPaths = [scope.WorkingDirectory ?? "."],
            });
        }

        private void Http(string name, List<Arg> args, Arg? url, TextSpan span)
        {
            var method = name switch
            {
                var n when n.EndsWith(".post", StringComparison.Ordinal) => "POST",
                var n when n.EndsWith(".put", StringComparison.Ordinal) => "PUT",
                var n when n.EndsWith(".patch", StringComparison.Ordinal) => "PATCH",
                "requests.request" => args.FirstOrDefault(a => a.Keyword is null)?.Literal?.ToUpperInvariant() ?? "GET",
                _ => args.Any(a => a.Keyword == "data") ? "POST" : "GET",
            };
            if (name == "requests.request")
            {
                url = args.Where(a => a.Keyword is null).Skip(1).FirstOrDefault() ?? args.FirstOrDefault(a => a.Keyword == "url");
            }

            var uploaded = new List<string>();
            string? body = null;
            var dataArgs = args.Where(a => a.Keyword is "files" or "data" or "json").ToList();
            if (name.EndsWith("urlopen", StringComparison.Ordinal) || name.EndsWith(".Request", StringComparison.Ordinal))
            {
                // urlopen(url, data) and Request(url, data): the second positional argument is the request body.
                var positional = args.Where(a => a.Keyword is null).ToList();
                if (positional.Count > 1)
                {
                    dataArgs.Add(positional[1]);
                    method = "POST";
                }
            }

            foreach (var arg in dataArgs)
            {
                // open('path', 'rb') inside files=/data= means the file's content is sent.
                for (var i = 0; i + 2 < arg.Tokens.Count; i++)
                {
                    if (arg.Tokens[i].Text == "open" && arg.Tokens[i + 1].Is("(") && arg.Tokens[i + 2].Kind == PyTokenKind.String)
                    {
                        uploaded.Add(Normalize(arg.Tokens[i + 2].Text));
                    }
                }

                body ??= arg.Literal ?? string.Join(' ', arg.Tokens.Where(t => t.Kind == PyTokenKind.String).Select(t => t.Text));
            }

            var operation = HttpInterpreter.Create(method, url?.Literal ?? "?", body, scope.Source, span) with { UploadedFiles = uploaded, Via = scope.Via };
            Sink.Add(operation);
        }
    }

    private sealed record Arg(string? Keyword, List<PyToken> Tokens, string? Literal, List<string>? List)
    {
        public TextSpan Span(PythonScope scope, TextSpan fallback)
        {
            if (Tokens.Count == 1 && Tokens[0].Kind == PyTokenKind.String && scope.Map.Fixed is null)
            {
                return scope.Map.Map(new TextSpan(Tokens[0].ContentStart, Tokens[0].ContentLength));
            }

            return fallback;
        }
    }
}
