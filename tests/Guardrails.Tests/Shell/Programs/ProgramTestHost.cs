using Guardrails.Actions;
using Guardrails.Interpreters;
using Guardrails.Shell.Programs;

namespace Guardrails.Tests.Shell.Programs;

/// <summary>A code fragment the semantics handed back to the host for analysis.</summary>
internal sealed record CodeCall(string Language, string Code, TextSpan Span, string Via, CommandInvocation Invocation);

/// <summary>
/// A fake <see cref="IInvocationHost"/>: collects operations, normalizes paths simply (absolute stays, relative joins the
/// working directory, <c>~</c> is <c>/home/agent</c>, <c>.</c> and <c>..</c> collapse), records shell and Python code,
/// and analyses nested invocations by recursing into <see cref="ProgramSemantics.Analyze"/>.
/// </summary>
internal sealed class ProgramTestHost : IInvocationHost
{
    public const string Home = "/home/agent";

    public OperationSink Sink { get; } = new(4096);

    public List<CodeCall> ShellCalls { get; } = [];

    public List<CodeCall> PythonCalls { get; } = [];

    public List<CommandInvocation> Inner { get; } = [];

    public List<Operation> Operations => Sink.Operations;

    public string NormalizePath(string path, CommandInvocation invocation)
    {
        if (path.Length == 0)
        {
            return path;
        }

        if (path == "~" || path.StartsWith("~/", StringComparison.Ordinal))
        {
            path = Home + path[1..];
        }
        else if (path[0] != '/')
        {
            path = (invocation.WorkingDirectory ?? Home) + "/" + path;
        }

        var parts = new List<string>();
        foreach (var part in path.Split('/'))
        {
            if (part.Length == 0 || part == ".")
            {
                continue;
            }

            if (part == "..")
            {
                if (parts.Count > 0)
                {
                    parts.RemoveAt(parts.Count - 1);
                }

                continue;
            }

            parts.Add(part);
        }

        return "/" + string.Join('/', parts);
    }

    public void AnalyzeShell(string code, TextSpan span, CommandInvocation invocation, string via) =>
        ShellCalls.Add(new CodeCall("shell", code, span, via, invocation));

    public void AnalyzePython(string code, TextSpan span, CommandInvocation invocation, string via) =>
        PythonCalls.Add(new CodeCall("python", code, span, via, invocation));

    public void AnalyzeInvocation(CommandInvocation inner)
    {
        Inner.Add(inner);
        ProgramSemantics.Analyze(inner, this);
    }

    public List<T> Of<T>()
        where T : Operation => Operations.OfType<T>().ToList();

    public T Single<T>()
        where T : Operation
    {
        var found = Of<T>();
        found.Should().ContainSingle($"exactly one {typeof(T).Name} is expected among {Describe()}");
        return found[0];
    }

    public string Describe() => string.Join("; ", Operations.Select(o => o.ToString()));
}

/// <summary>Builds <see cref="CommandInvocation"/>s from a command line and runs the semantics on them.</summary>
internal static class Cmd
{
    public const string Cwd = "/home/agent";

    /// <summary>
    /// Splits <paramref name="text"/> on whitespace into words; single or double quotes group words (no escapes) and
    /// are removed, while each word's span covers it as written (quotes included).
    /// </summary>
    public static CommandInvocation Parse(
        string text,
        string? cwd = Cwd,
        string? stdinText = null,
        string? stdinFile = null,
        bool stdinFromPipe = false,
        bool detached = false,
        string? detachedBy = null,
        string? via = null,
        bool stdoutToPipe = false)
    {
        var words = new List<string>();
        var spans = new List<TextSpan>();
        var i = 0;
        while (i < text.Length)
        {
            while (i < text.Length && char.IsWhiteSpace(text[i]))
            {
                i++;
            }

            if (i >= text.Length)
            {
                break;
            }

            var start = i;
            var word = new System.Text.StringBuilder();
            while (i < text.Length && !char.IsWhiteSpace(text[i]))
            {
                if (text[i] is '\'' or '"')
                {
                    var quote = text[i];
                    var close = text.IndexOf(quote, i + 1);
                    if (close < 0)
                    {
                        close = text.Length;
                    }

                    word.Append(text, i + 1, close - i - 1);
                    i = Math.Min(close + 1, text.Length);
                    continue;
                }

                word.Append(text[i]);
                i++;
            }

            words.Add(word.ToString());
            spans.Add(new TextSpan(start, i - start));
        }

        return new CommandInvocation
        {
            Program = words[0],
            Arguments = words.Skip(1).ToArray(),
            ArgumentSpans = spans.Skip(1).ToArray(),
            Span = new TextSpan(0, text.Length),
            ProgramSpan = spans[0],
            Source = "command",
            WorkingDirectory = cwd,
            StdinText = stdinText,
            StdinFile = stdinFile,
            StdinFromPipe = stdinFromPipe,
            Detached = detached,
            DetachedBy = detachedBy,
            Via = via,
            StdoutToPipe = stdoutToPipe,
        };
    }

    /// <summary>Parses and analyses a command line.</summary>
    public static ProgramTestHost Run(
        string text,
        string? cwd = Cwd,
        string? stdinText = null,
        string? stdinFile = null,
        bool stdinFromPipe = false,
        bool detached = false,
        string? detachedBy = null,
        string? via = null)
    {
        var host = new ProgramTestHost();
        ProgramSemantics.Analyze(Parse(text, cwd, stdinText, stdinFile, stdinFromPipe, detached, detachedBy, via), host);
        return host;
    }

    /// <summary>Gets the span of the first occurrence of <paramref name="fragment"/> in <paramref name="text"/>.</summary>
    public static TextSpan SpanOf(string text, string fragment)
    {
        var index = text.IndexOf(fragment, StringComparison.Ordinal);
        index.Should().BeGreaterThanOrEqualTo(0, $"'{fragment}' occurs in '{text}'");
        return new TextSpan(index, fragment.Length);
    }
}
