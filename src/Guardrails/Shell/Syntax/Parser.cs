using System.Globalization;
using System.Runtime.CompilerServices;

namespace Guardrails.Shell.Syntax;

/// <summary>
/// A scannerless recursive-descent parser for one source text. Bash's lexing depends on the grammar (reserved words
/// only in command position, <c>((</c> versus <c>( (</c>, here-document bodies after the line ends), so characters are
/// read directly by the grammar functions. Every loop consumes input or stops; every recursive construct goes through
/// <see cref="Enter"/>; reads past <see cref="_end"/> or after a halt see end of input, which unwinds everything.
/// </summary>
internal sealed partial class Parser
{
    private const int Eof = -1;

    private readonly ParseContext _ctx;
    private readonly string _src;

    /// <summary>Maps positions of <see cref="_src"/> to the original source, for backquote bodies; null at top level.</summary>
    private readonly int[]? _map;

    /// <summary>Counts, per <see cref="Stop"/> bit, the enclosing lists that expect that closer.</summary>
    private readonly int[] _openStops = new int[StopBits];

    private int _pos;

    /// <summary>The current end of input; lowered while a here-document body is parsed.</summary>
    private int _end;

    /// <summary>The end of the last token consumed, so that spans never include trailing blanks.</summary>
    private int _tokEnd;

    /// <summary>Here-documents whose bodies start after the next newline token.</summary>
    private List<PendingHereDoc> _pending = [];

    /// <summary>How many <c>$( … )</c> enclose the current position (enables bash's <c>EOF)</c> delimiter rule).</summary>
    private int _comsubDepth;

    public Parser(ParseContext context, string source, int[]? map)
    {
        _ctx = context;
        _src = source;
        _map = map;
        _end = source.Length;
    }

    public Script ParseScript()
    {
        var nul = _src.IndexOf('\0', StringComparison.Ordinal);
        if (nul >= 0)
        {
            // bash drops NUL bytes from its input while anything handing the string to execve cuts it there; either
            // way the text we see is not what runs.
            Error(ParseDiagnosticKind.SyntaxError, "NUL character in input", nul, nul + 1);
        }

        var body = ParseList(Stop.Eof);
        FinishPendingHereDocs();
        return Track(new Script(body, Span(0, _src.Length)));
    }

    /// <summary>Parses the whole text as the body of a substitution (used for backquotes).</summary>
    private CommandList ParseNestedBody()
    {
        var body = ParseList(Stop.Eof);
        FinishPendingHereDocs();
        return body;
    }

    private int At(int index)
    {
        if ((uint)index >= (uint)_end || _ctx.Blocked)
        {
            return Eof;
        }

        if (_ctx.Speculating && --_ctx.SpeculationBudget < 0)
        {
            // Every read during a speculation is paid for; when the budget is gone the speculation fails.
            _ctx.AbortingSpeculation = true;
            return Eof;
        }

        return _src[index];
    }

    private int Cur => At(_pos);

    /// <summary>Skips line continuations (backslash-newline), which bash removes before tokenizing.</summary>
    private int SkipCont(int index)
    {
        while (At(index) == '\\' && At(index + 1) == '\n')
        {
            index += 2;
        }

        return index;
    }

    private static bool IsBlank(int c) => c is ' ' or '\t';

    private static bool IsDigit(int c) => c is >= '0' and <= '9';

    private static bool IsIdentStart(int c) => c is >= 'a' and <= 'z' or >= 'A' and <= 'Z' or '_';

    private static bool IsIdentChar(int c) => IsIdentStart(c) || IsDigit(c);

    /// <summary>Characters that end an unquoted word (bash's metacharacters plus newline and end of input).</summary>
    private static bool IsMeta(int c) => c is Eof or ' ' or '\t' or '\n' or ';' or '&' or '|' or '(' or ')' or '<' or '>';

    private void SkipBlanks()
    {
        while (true)
        {
            var c = At(_pos);
            if (IsBlank(c))
            {
                _pos++;
            }
            else if (c == '\\' && At(_pos + 1) == '\n')
            {
                _pos += 2;
            }
            else
            {
                return;
            }
        }
    }

    /// <summary>Skips blanks and a comment; <c>#</c> starts one only where a token could start.</summary>
    private void SkipBlanksAndComment()
    {
        SkipBlanks();
        if (Cur == '#')
        {
            // Comments are not continued by a trailing backslash; read raw up to the newline.
            while (Cur is not Eof and not '\n')
            {
                _pos++;
            }
        }
    }

    /// <summary>Skips blanks, comments and newline tokens, reading due here-document bodies at each newline.</summary>
    private void SkipLinebreaks()
    {
        while (true)
        {
            SkipBlanksAndComment();
            if (Cur != '\n')
            {
                return;
            }

            ConsumeNewline();
        }
    }

    private void ConsumeNewline()
    {
        _pos++;
        if (_pending.Count > 0)
        {
            ReadPendingHereDocs();
        }
    }

    private void Advance(int end)
    {
        _pos = end;
        _tokEnd = end;
    }

    private TextSpan Span(int start, int end)
    {
        start = Math.Clamp(start, 0, _src.Length);
        end = Math.Clamp(end, start, _src.Length);
        if (_map is null)
        {
            return new TextSpan(start, end - start);
        }

        // Map the last character rather than the end position: un-escaping removed characters in between.
        var mappedStart = _map[start];
        var mappedEnd = end > start ? _map[end - 1] + 1 : mappedStart;
        return new TextSpan(mappedStart, Math.Max(0, mappedEnd - mappedStart));
    }

    private T Track<T>(T node)
        where T : Node
    {
        _ctx.CountNode(node.Span);
        return node;
    }

    private void Error(ParseDiagnosticKind kind, string message, int start, int end) =>
        _ctx.AddDiagnostic(kind, message, Span(start, Math.Max(start, end)));

    private void SyntaxError(string message, int start, int end) => Error(ParseDiagnosticKind.SyntaxError, message, start, end);

    /// <summary>Describes the token at the current position for messages.</summary>
    private string Describe(int start, int end)
    {
        if (At(start) == Eof)
        {
            return "end of input";
        }

        end = Math.Clamp(end, start + 1, Math.Min(_end, start + 20));
        var text = _src.AsSpan(start, end - start);
        return text is "\n" ? "newline" : "`" + text.ToString() + "'";
    }

    /// <summary>
    /// Enters one level of nesting. Fails (with a <see cref="ParseDiagnosticKind.DepthLimit"/> diagnostic) when the
    /// configured depth is reached or the thread's stack is nearly exhausted, so no input can overflow the stack.
    /// </summary>
    private bool Enter(int at)
    {
        if (_ctx.Depth >= _ctx.MaxDepth || !RuntimeHelpers.TryEnsureSufficientExecutionStack())
        {
            Error(
                ParseDiagnosticKind.DepthLimit,
                string.Create(CultureInfo.InvariantCulture, $"nesting deeper than {_ctx.MaxDepth} levels; the nested construct was skipped"),
                at,
                at + 1);
            return false;
        }

        _ctx.Depth++;
        return true;
    }

    private void Exit() => _ctx.Depth--;

    /// <summary>The original source text of a span (for delimiters and names made of expansions).</summary>
    private string OriginalText(TextSpan span)
    {
        var source = _ctx.Source;
        var start = Math.Clamp(span.Start, 0, source.Length);
        var end = Math.Clamp(span.End, start, source.Length);
        return source[start..end];
    }

    /// <summary>Source text between two local positions with line continuations removed.</summary>
    private string RawText(int start, int end)
    {
        start = Math.Clamp(start, 0, _src.Length);
        end = Math.Clamp(end, start, _src.Length);
        var text = _src.AsSpan(start, end - start);
        if (!text.Contains("\\\n", StringComparison.Ordinal))
        {
            return text.ToString();
        }

        var builder = new System.Text.StringBuilder(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == '\\' && i + 1 < text.Length && text[i + 1] == '\n')
            {
                i++;
                continue;
            }

            builder.Append(text[i]);
        }

        return builder.ToString();
    }

    /// <summary>State saved before a speculative parse (the <c>((</c> look-ahead) so that it can be undone.</summary>
    private readonly record struct Snapshot(int Pos, int TokEnd, int Diagnostics, int Nodes);

    private Snapshot Save() => new(_pos, _tokEnd, _ctx.DiagnosticCount, _ctx.Nodes);

    private void Restore(Snapshot snapshot)
    {
        _pos = snapshot.Pos;
        _tokEnd = snapshot.TokEnd;
        _ctx.TruncateDiagnostics(snapshot.Diagnostics);
        _ctx.Nodes = snapshot.Nodes;
    }

    /// <summary>
    /// Reads an arithmetic expression after <c>((</c> or <c>$((</c>. Outside a speculation this is one: on failure
    /// the state is restored and false returned, and the caller reads the text as subshells or a command
    /// substitution instead. Inside one, a failure aborts the enclosing speculation rather than starting another.
    /// </summary>
    private bool TrySpeculativeArithmetic(out int expressionStart, out int expressionEnd, out List<WordPart> expansions)
    {
        if (_ctx.Speculating)
        {
            if (ScanArithmetic(ArithmeticClose.DoubleParen, out expressionStart, out expressionEnd, out expansions, out _))
            {
                return true;
            }

            _ctx.AbortingSpeculation = true;
            return false;
        }

        if (_ctx.SpeculationBudget <= 0)
        {
            expressionStart = expressionEnd = _pos;
            expansions = [];
            return false;
        }

        var snapshot = Save();
        _ctx.Speculating = true;
        var scanned = ScanArithmetic(ArithmeticClose.DoubleParen, out expressionStart, out expressionEnd, out expansions, out _);
        _ctx.Speculating = false;
        _ctx.AbortingSpeculation = false;
        if (!scanned)
        {
            Restore(snapshot);
        }

        return scanned;
    }
}
