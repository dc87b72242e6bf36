using System.Text;

namespace Guardrails.Shell.Syntax;

/// <summary>Here-documents: bodies are read after the newline that ends the line holding their operators.</summary>
internal sealed partial class Parser
{
    private sealed record PendingHereDoc(Redirection Redirection, string Delimiter, bool Quoted, bool StripTabs, int OperatorStart, int OperatorEnd);

    /// <summary>Delimiter after quote removal; any quoting (even of one character) disables expansion in the body.</summary>
    private (string Delimiter, bool Quoted) HereDocDelimiter(Word word)
    {
        var builder = new StringBuilder();
        var quoted = false;
        foreach (var part in word.Parts)
        {
            switch (part)
            {
                case LiteralPart literal:
                    builder.Append(literal.Text);
                    quoted |= literal.HadEscape;
                    break;
                case SingleQuotedPart single:
                    builder.Append(single.Text);
                    quoted = true;
                    break;
                case AnsiCQuotedPart ansi:
                    builder.Append(ansi.Text);
                    quoted = true;
                    break;
                case DoubleQuotedPart or LocaleQuotedPart:
                    quoted = true;
                    foreach (var inner in part is DoubleQuotedPart dq ? dq.Parts : ((LocaleQuotedPart)part).Parts)
                    {
                        builder.Append(inner is LiteralPart text ? text.Text : OriginalText(inner.Span));
                    }

                    break;
                default:
                    // bash does not expand the delimiter: "$x" there is the two characters.
                    builder.Append(OriginalText(part.Span));
                    break;
            }
        }

        return (builder.ToString(), quoted);
    }

    private void ReadPendingHereDocs()
    {
        // Take the queue first: a body may contain $( … ) with here-documents of its own.
        var documents = _pending;
        _pending = [];
        foreach (var document in documents)
        {
            ReadHereDoc(document);
        }
    }

    /// <summary>Here-documents still pending at the end of their scope never got a body.</summary>
    private void FinishPendingHereDocs()
    {
        if (_pending.Count == 0)
        {
            return;
        }

        var documents = _pending;
        _pending = [];
        foreach (var document in documents)
        {
            Error(ParseDiagnosticKind.UnterminatedHereDoc, "here-document has no body (wanted `" + document.Delimiter + "')", document.OperatorStart, document.OperatorEnd);
            var body = Track(new Word([], Span(_pos, _pos)));
            document.Redirection.AttachHereDoc(Track(new HereDoc(document.Delimiter, document.Quoted, body, Span(_pos, _pos), Span(_pos, _pos))));
        }
    }

    /// <summary>
    /// Reads one body starting at the current position, line by line up to the delimiter line. For an unquoted
    /// delimiter a backslash-newline joins lines before the comparison (as bash's reader does), so a delimiter split
    /// across lines still ends the body; an unterminated body runs to the end of input.
    /// </summary>
    private void ReadHereDoc(PendingHereDoc document)
    {
        var delimiter = document.Delimiter;
        var bodyStart = _pos;
        var p = _pos;
        int bodyEnd;
        int resume;
        int delimiterLineEnd;
        var terminated = false;
        while (true)
        {
            if (At(p) == Eof)
            {
                bodyEnd = resume = delimiterLineEnd = p;
                break;
            }

            var lineStart = p;
            var q = p;
            while (document.StripTabs && At(q) == '\t')
            {
                q++;
            }

            var matched = 0;
            var closesSubstitution = false;
            while (true)
            {
                var c = At(q);
                if (c is Eof or '\n')
                {
                    break;
                }

                if (matched == delimiter.Length && c == ')' && _comsubDepth > 0)
                {
                    // bash accepts "EOF)" as the delimiter line of a here-document inside $( … ).
                    closesSubstitution = true;
                    break;
                }

                if (c == '\\' && !document.Quoted)
                {
                    var next = At(q + 1);
                    if (next == '\n')
                    {
                        q += 2;
                        continue;
                    }

                    matched = Match(delimiter, matched, '\\');
                    q++;
                    if (next == Eof)
                    {
                        continue;
                    }

                    c = next;
                }

                matched = Match(delimiter, matched, c);
                q++;
            }

            if (matched == delimiter.Length)
            {
                terminated = true;
                bodyEnd = lineStart;
                delimiterLineEnd = q;
                resume = !closesSubstitution && At(q) == '\n' ? q + 1 : q;
                break;
            }

            if (At(q) == Eof)
            {
                bodyEnd = resume = delimiterLineEnd = q;
                break;
            }

            p = q + 1;
        }

        Word body;
        if (document.Quoted)
        {
            var text = document.StripTabs ? StripLeadingTabs(bodyStart, bodyEnd) : _src[bodyStart..bodyEnd];
            body = text.Length == 0
                ? Track(new Word([], Span(bodyStart, bodyEnd)))
                : Track(new Word([Track(new LiteralPart(text, false, Span(bodyStart, bodyEnd)))], Span(bodyStart, bodyEnd)));
        }
        else
        {
            var savedEnd = _end;
            _end = bodyEnd;
            _pos = bodyStart;
            var parts = ParseDoubleQuotedContent(hereDoc: true, stripTabs: document.StripTabs);
            _end = savedEnd;
            body = Track(new Word(parts, Span(bodyStart, bodyEnd)));
        }

        _pos = resume;
        if (!terminated)
        {
            Error(ParseDiagnosticKind.UnterminatedHereDoc, "here-document delimited by end of input (wanted `" + delimiter + "')", document.OperatorStart, document.OperatorEnd);
        }

        var hereDoc = new HereDoc(delimiter, document.Quoted, body, Span(bodyStart, bodyEnd), Span(bodyStart, delimiterLineEnd));
        document.Redirection.AttachHereDoc(Track(hereDoc));
    }

    private static int Match(string delimiter, int matched, int c) =>
        matched >= 0 && matched < delimiter.Length && delimiter[matched] == c ? matched + 1 : -1;

    private string StripLeadingTabs(int start, int end)
    {
        var builder = new StringBuilder(end - start);
        var lineStart = true;
        for (var i = start; i < end; i++)
        {
            var c = _src[i];
            if (lineStart && c == '\t')
            {
                continue;
            }

            lineStart = c == '\n';
            builder.Append(c);
        }

        return builder.ToString();
    }
}
