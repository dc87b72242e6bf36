using System.Runtime.InteropServices;
using System.Text;

namespace Guardrails.Shell.Syntax;

/// <summary>Words: quoting, parameter expansion, command/arithmetic/process substitution, assignments.</summary>
internal sealed partial class Parser
{
    /// <summary>How a word is read and which of bash's word-level recognitions apply to it.</summary>
    [Flags]
    private enum WordMode
    {
        None = 0,

        /// <summary>Recognize brace expansion (command words, for lists, redirection targets, array elements).</summary>
        Brace = 1 << 0,

        /// <summary>Report unquoted pattern characters as <see cref="GlobPart"/>.</summary>
        Glob = 1 << 1,

        /// <summary>Recognize a tilde prefix at the start.</summary>
        Tilde = 1 << 2,

        /// <summary>Also after each unquoted <c>:</c> (assignment values).</summary>
        TildeAfterColon = 1 << 3,

        /// <summary>The right side of <c>=~</c> in <c>[[ ]]</c>: parentheses and <c>|</c> belong to the word.</summary>
        Regex = 1 << 4,

        /// <summary>The word after the operator of <c>${x op word}</c>: only <c>}</c> ends it.</summary>
        ParameterArgument = 1 << 5,

        /// <summary>With <see cref="ParameterArgument"/>: the expansion is inside double quotes.</summary>
        InDoubleQuotes = 1 << 6,

        /// <summary>An element of <c>a=( … )</c>, which may start with <c>[key]=</c>.</summary>
        ArrayElement = 1 << 7,

        /// <summary>An argument of <c>declare</c> and friends, where <c>name=( … )</c> is one word.</summary>
        DeclarationArray = 1 << 8,

        /// <summary>Command position: stop at <c>name=</c>, <c>name+=</c> or <c>name[</c> so assignments can be read.</summary>
        AssignCheck = 1 << 9,

        Normal = Brace | Glob | Tilde,
        Pattern = Glob | Tilde,
        AssignValue = Tilde | TildeAfterColon,
    }

    private enum ScanStop
    {
        Terminator,
        AssignOperator,
        Subscript,
    }

    private enum ArithmeticClose
    {
        DoubleParen,
        Bracket,
    }

    /// <summary>Reads a word at the current position; null when a metacharacter (or end of input) is there.</summary>
    private Word? ParseWord(WordMode mode)
    {
        var atoms = _ctx.Atoms;
        var atomBase = atoms.Count;
        ScanWordAtoms(mode, atomBase);
        if (atoms.Count == atomBase)
        {
            return null;
        }

        var word = BuildWord(atomBase, mode);
        atoms.RemoveRange(atomBase, atoms.Count - atomBase);
        return word;
    }

    /// <summary>In command position: an assignment (<c>a=1</c>, <c>a[i]+=x</c>, <c>a=(x y)</c>) or else a word.</summary>
    private (Assignment? Assignment, Word? Word) ParseAssignmentOrWord()
    {
        var start = _pos;
        var atoms = _ctx.Atoms;
        var atomBase = atoms.Count;
        var stop = ScanWordAtoms(WordMode.Normal | WordMode.AssignCheck, atomBase);
        List<WordPart>? expansions = null;
        if (stop == ScanStop.Subscript)
        {
            // In command position bash reads "name[...]" as a unit, blanks included.
            expansions = [];
            ScanSubscript(atomBase, AtomKind.Char, expansions);
            var p = SkipCont(_pos);
            if (At(p) == '=' || (At(p) == '+' && At(SkipCont(p + 1)) == '='))
            {
                _pos = p;
                stop = ScanStop.AssignOperator;
            }
            else
            {
                stop = ScanWordAtoms(WordMode.Normal, atomBase);
            }
        }

        if (stop == ScanStop.AssignOperator)
        {
            var operatorStart = _pos;
            var append = Cur == '+';
            var name = RawText(start, operatorStart);
            atoms.RemoveRange(atomBase, atoms.Count - atomBase);
            var equals = append ? SkipCont(_pos + 1) : _pos;
            Advance(equals + 1);
            IReadOnlyList<Word>? array = null;
            Word? value = null;
            if (Cur == '(')
            {
                array = ParseArrayValue();
            }
            else
            {
                value = ParseWord(WordMode.AssignValue) ?? Track(new Word([], Span(_pos, _pos)));
            }

            var assignment = new Assignment(name, value, append, array, Span(start, _tokEnd)) { Expansions = expansions ?? [] };
            return (Track(assignment), null);
        }

        if (atoms.Count == atomBase)
        {
            return (null, null);
        }

        var word = BuildWord(atomBase, WordMode.Normal);
        atoms.RemoveRange(atomBase, atoms.Count - atomBase);
        return (null, word);
    }

    /// <summary><c>( element … )</c> of an array assignment; newlines and comments may appear between elements.</summary>
    private List<Word> ParseArrayValue()
    {
        var open = _pos;
        Advance(_pos + 1);
        var elements = new List<Word>();
        while (true)
        {
            SkipLinebreaks();
            var c = Cur;
            if (c == ')')
            {
                Advance(_pos + 1);
                return elements;
            }

            if (c == Eof)
            {
                UnexpectedInsteadOf(")", open);
                return elements;
            }

            var tokenStart = _pos;
            if (PeekOp(out var opEnd) != Tok.Word)
            {
                SyntaxError("syntax error near unexpected token " + Describe(tokenStart, opEnd) + " in array assignment", tokenStart, opEnd);
                Advance(Math.Max(opEnd, _pos + 1));
                continue;
            }

            var element = ParseWord(WordMode.Normal | WordMode.ArrayElement);
            if (element is null)
            {
                Advance(_pos + 1);
                continue;
            }

            elements.Add(element);
        }
    }

    /// <summary>
    /// Appends the atoms of one word, from the current position up to the first character that ends a word in
    /// <paramref name="mode"/>. Brace, glob and tilde recognition happen afterwards, on the whole word.
    /// </summary>
    private ScanStop ScanWordAtoms(WordMode mode, int atomBase)
    {
        var atoms = _ctx.Atoms;
        var parameterArgument = (mode & WordMode.ParameterArgument) != 0;
        var inDoubleQuotes = (mode & WordMode.InDoubleQuotes) != 0;
        var regex = (mode & WordMode.Regex) != 0;
        var extglob = !regex && !inDoubleQuotes;
        var extDepth = 0;
        var regexDepth = 0;
        var identLength = 0;
        var identSoFar = true;
        var leadingContinuation = false;
        while (true)
        {
            if (leadingContinuation && atoms.Count > atomBase)
            {
                CollectionsMarshal.AsSpan(atoms)[atomBase].HadEscape = true;
                leadingContinuation = false;
            }

            if (!_ctx.Speculating && !_ctx.Blocked && _pos < _end && ScanPlainRun(atomBase, ref identSoFar, ref identLength))
            {
                continue;
            }

            var c = At(_pos);
            if (c == Eof)
            {
                if (extDepth > 0)
                {
                    // bash reads an extglob pattern up to its closing parenthesis; without one it rejects the input.
                    Error(ParseDiagnosticKind.UnterminatedQuote, "unterminated extended glob pattern", atoms.Count > atomBase ? atoms[atomBase].Start : _pos, _pos);
                }

                return ScanStop.Terminator;
            }

            if (c == '\\')
            {
                var next = At(_pos + 1);
                if (next == '\n')
                {
                    // A line continuation inside a word joins its halves; keep a trace of it for consumers.
                    if (atoms.Count > atomBase)
                    {
                        CollectionsMarshal.AsSpan(atoms)[^1].HadEscape = true;
                    }
                    else
                    {
                        leadingContinuation = true;
                    }

                    _pos += 2;
                    continue;
                }

                identSoFar = false;
                if (next == Eof || (inDoubleQuotes && next is not ('$' or '`' or '"' or '\\' or '}')))
                {
                    PushAtom(AtomKind.Plain, '\\', _pos, _pos + 1);
                    _pos++;
                    continue;
                }

                PushAtom(AtomKind.Escaped, (char)next, _pos, _pos + 2);
                _pos += 2;
                continue;
            }

            if (parameterArgument)
            {
                if (c == '}')
                {
                    return ScanStop.Terminator;
                }
            }
            else if (regex && (c is '(' or '|' || (c == ')' && regexDepth > 0) || (regexDepth > 0 && IsMeta(c))))
            {
                regexDepth += c == '(' ? 1 : c == ')' ? -1 : 0;
                identSoFar = false;
                PushLiteral(c, _pos, atomBase, plain: true);
                _pos++;
                continue;
            }
            else if (extDepth == 0 && IsMeta(c))
            {
                if (c is '<' or '>' && At(SkipCont(_pos + 1)) == '(')
                {
                    identSoFar = false;
                    var start = _pos;
                    PushPart(ParseSubstitution(start, SkipCont(_pos + 1) + 1, SubstitutionKind.Process), start);
                    continue;
                }

                return ScanStop.Terminator;
            }

            if (extDepth > 0 && c is '(' or ')' or '|')
            {
                extDepth += c == '(' ? 1 : c == ')' ? -1 : 0;
                PushAtom(AtomKind.GlobOp, (char)c, _pos, _pos + 1);
                _pos++;
                continue;
            }

            switch (c)
            {
                case '\'':
                    identSoFar = false;
                    var singleStart = _pos;
                    PushPart(ParseSingleQuoted(), singleStart);
                    continue;
                case '"':
                    identSoFar = false;
                    var doubleStart = _pos;
                    PushPart(ParseDoubleQuoted(doubleStart, doubleStart + 1, locale: false), doubleStart);
                    continue;
                case '`':
                    identSoFar = false;
                    var backquoteStart = _pos;
                    PushPart(ParseBackquote(inDoubleQuotes), backquoteStart);
                    continue;
                case '$':
                    identSoFar = false;
                    var dollarStart = _pos;
                    var part = ParseDollar(quoted: inDoubleQuotes);
                    if (part is null)
                    {
                        PushLiteral('$', _pos, atomBase, plain: false);
                        _pos++;
                    }
                    else
                    {
                        PushPart(part, dollarStart);
                    }

                    continue;
            }

            if (extglob && c is '@' or '!' or '+' or '*' or '?')
            {
                var paren = SkipCont(_pos + 1);
                if (At(paren) == '(')
                {
                    identSoFar = false;
                    PushAtom(AtomKind.GlobOp, (char)c, _pos, _pos + 1);
                    PushAtom(AtomKind.GlobOp, '(', paren, paren + 1);
                    _pos = paren + 1;
                    extDepth++;
                    continue;
                }
            }

            if (identSoFar && identLength > 0)
            {
                if ((mode & WordMode.AssignCheck) != 0
                    && (c is '=' or '[' || (c == '+' && At(SkipCont(_pos + 1)) == '=')))
                {
                    return c == '[' ? ScanStop.Subscript : ScanStop.AssignOperator;
                }

                if ((mode & WordMode.DeclarationArray) != 0 && c is '=' or '+')
                {
                    var equals = c == '=' ? _pos : SkipCont(_pos + 1);
                    var paren = SkipCont(equals + 1);
                    if (At(equals) == '=' && At(paren) == '(')
                    {
                        identSoFar = false;
                        if (c == '+')
                        {
                            PushAtom(AtomKind.Plain, '+', _pos, _pos + 1);
                        }

                        PushAtom(AtomKind.Plain, '=', equals, equals + 1);
                        _pos = paren;
                        ScanInlineArray();
                        continue;
                    }
                }
            }

            if ((mode & WordMode.ArrayElement) != 0 && c == '[' && atoms.Count == atomBase)
            {
                identSoFar = false;
                ScanSubscript(atomBase, AtomKind.Plain, null);
                continue;
            }

            if (identSoFar)
            {
                identSoFar = identLength == 0 ? IsIdentStart(c) : IsIdentChar(c);
                identLength++;
            }

            PushLiteral(c, _pos, atomBase, plain: false);
            _pos++;
        }
    }

    /// <summary>
    /// Consumes a run of characters that mean nothing special to any word mode (letters, digits, most punctuation) in
    /// one step, with exactly the atoms and identifier tracking the character-by-character path would produce for
    /// them. Returns false when the next character needs that path.
    /// </summary>
    private bool ScanPlainRun(int atomBase, ref bool identSoFar, ref int identLength)
    {
        var rest = _src.AsSpan(_pos, _end - _pos);
        var length = rest.IndexOfAny(s_wordBreaks);
        if (length == 0)
        {
            return false;
        }

        if (length < 0)
        {
            length = rest.Length;
        }

        if (identSoFar)
        {
            foreach (var c in rest[..length])
            {
                identSoFar = identLength == 0 ? IsIdentStart(c) : IsIdentChar(c);
                identLength++;
                if (!identSoFar)
                {
                    break;
                }
            }
        }

        var atoms = _ctx.Atoms;
        var end = _pos + length;
        if (atoms.Count > atomBase)
        {
            ref var last = ref CollectionsMarshal.AsSpan(atoms)[^1];
            if (last.Kind == AtomKind.Run && last.End == _pos)
            {
                last.End = end;
                _pos = end;
                return true;
            }
        }

        atoms.Add(new Atom { Kind = AtomKind.Run, Start = _pos, End = end });
        _pos = end;
        return true;
    }

    /// <summary>Every character that any word mode treats specially: metacharacters, quotes, expansions, escapes, pattern, brace, tilde and assignment characters.</summary>
    private static readonly System.Buffers.SearchValues<char> s_wordBreaks = System.Buffers.SearchValues.Create(" \t\n;&|()<>\\'\"`${},*?[]~/:@!+=");

    /// <summary>Characters that brace expansion, globbing or tilde expansion care about get their own atom.</summary>
    private static bool IsWordSpecial(int c) => c is '{' or '}' or ',' or '*' or '?' or '[' or ']' or '~' or '/' or ':';

    private void PushLiteral(int c, int position, int atomBase, bool plain)
    {
        var atoms = _ctx.Atoms;
        if (IsWordSpecial(c))
        {
            PushAtom(plain ? AtomKind.Plain : AtomKind.Char, (char)c, position, position + 1);
            return;
        }

        if (atoms.Count > atomBase)
        {
            ref var last = ref CollectionsMarshal.AsSpan(atoms)[^1];
            if (last.Kind == AtomKind.Run && last.End == position)
            {
                last.End = position + 1;
                return;
            }
        }

        atoms.Add(new Atom { Kind = AtomKind.Run, Start = position, End = position + 1 });
    }

    private void PushAtom(AtomKind kind, char c, int start, int end) =>
        _ctx.Atoms.Add(new Atom { Kind = kind, Ch = c, Start = start, End = end });

    private void PushPart(WordPart part, int start) =>
        _ctx.Atoms.Add(new Atom { Kind = AtomKind.Part, Part = part, Start = start, End = Math.Max(start, _pos) });

    /// <summary>
    /// <c>[ … ]</c> after a name (or at the start of an array element): read as a unit up to the matching bracket,
    /// blanks included, with quotes and expansions parsed (bash evaluates them, so <c>a[$(cmd)]=1</c> runs cmd).
    /// </summary>
    private void ScanSubscript(int atomBase, AtomKind bracketKind, List<WordPart>? expansions)
    {
        var open = _pos;
        PushAtom(bracketKind, '[', _pos, _pos + 1);
        _pos++;
        var depth = 0;
        while (true)
        {
            var c = At(_pos);
            switch (c)
            {
                case Eof:
                    Error(ParseDiagnosticKind.UnterminatedQuote, "unterminated `[' subscript", open, _pos);
                    _tokEnd = _pos;
                    return;
                case '\\':
                    var next = At(_pos + 1);
                    if (next == '\n')
                    {
                        _pos += 2;
                    }
                    else if (next == Eof)
                    {
                        PushAtom(AtomKind.Plain, '\\', _pos, _pos + 1);
                        _pos++;
                    }
                    else
                    {
                        PushAtom(AtomKind.Escaped, (char)next, _pos, _pos + 2);
                        _pos += 2;
                    }

                    continue;
                case ']' when depth == 0:
                    PushAtom(bracketKind, ']', _pos, _pos + 1);
                    Advance(_pos + 1);
                    return;
                case '\'' or '"' or '`' or '$':
                    var start = _pos;
                    var part = c switch
                    {
                        '\'' => ParseSingleQuoted(),
                        '"' => ParseDoubleQuoted(_pos, _pos + 1, locale: false),
                        '`' => ParseBackquote(inDoubleQuotes: false),
                        _ => ParseDollar(quoted: false),
                    };
                    if (part is null)
                    {
                        PushLiteral('$', _pos, atomBase, plain: true);
                        _pos++;
                        continue;
                    }

                    PushPart(part, start);
                    if (expansions is not null && !IsStaticPart(part))
                    {
                        expansions.Add(part);
                    }

                    continue;
            }

            depth += c == '[' ? 1 : c == ']' ? -1 : 0;
            PushLiteral(c, _pos, atomBase, plain: true);
            _pos++;
        }
    }

    /// <summary>
    /// <c>declare a=( … )</c>: bash parses the parenthesized list as part of the word. The elements are parsed as
    /// words and their parts spliced into the enclosing word, separated by single blanks.
    /// </summary>
    private void ScanInlineArray()
    {
        var open = _pos;
        PushAtom(AtomKind.Plain, '(', _pos, _pos + 1);
        _pos++;
        var gapStart = _pos;
        var first = true;
        while (true)
        {
            SkipLinebreaks();
            var c = Cur;
            if (c == ')')
            {
                PushAtom(AtomKind.Plain, ')', _pos, _pos + 1);
                Advance(_pos + 1);
                return;
            }

            if (c == Eof)
            {
                UnexpectedInsteadOf(")", open);
                return;
            }

            var elementStart = _pos;
            if (PeekOp(out var opEnd) != Tok.Word)
            {
                SyntaxError("syntax error near unexpected token " + Describe(elementStart, opEnd) + " in array assignment", elementStart, opEnd);
                Advance(Math.Max(opEnd, _pos + 1));
                continue;
            }

            var element = ParseWord(WordMode.Normal | WordMode.ArrayElement);
            if (element is null)
            {
                Advance(_pos + 1);
                continue;
            }

            if (!first)
            {
                PushAtom(AtomKind.Plain, ' ', gapStart, elementStart);
            }

            first = false;
            foreach (var part in element.Parts)
            {
                _ctx.Atoms.Add(new Atom { Kind = AtomKind.Part, Part = part, Start = elementStart, End = _pos });
            }

            gapStart = _pos;
        }
    }

    private static bool IsStaticPart(WordPart part) => part switch
    {
        LiteralPart or SingleQuotedPart or AnsiCQuotedPart => true,
        DoubleQuotedPart dq => dq.Parts.All(static p => p is LiteralPart),
        LocaleQuotedPart locale => locale.Parts.All(static p => p is LiteralPart),
        _ => false,
    };

    private SingleQuotedPart ParseSingleQuoted()
    {
        var start = _pos;
        var p = _pos + 1;
        while (At(p) is not Eof and not '\'')
        {
            p++;
        }

        var text = _src[(start + 1)..p];
        if (At(p) == '\'')
        {
            Advance(p + 1);
        }
        else
        {
            Error(ParseDiagnosticKind.UnterminatedQuote, "unterminated single quote", start, p);
            Advance(p);
        }

        return Track(new SingleQuotedPart(text, Span(start, _pos)));
    }

    /// <summary><c>$'…'</c>: a backslash escapes the next character, so <c>\'</c> does not end it.</summary>
    private AnsiCQuotedPart ParseAnsiC(int start, int quote)
    {
        var p = quote + 1;
        while (true)
        {
            var c = At(p);
            if (c is Eof or '\'')
            {
                break;
            }

            p += c == '\\' && At(p + 1) != Eof ? 2 : 1;
        }

        var text = AnsiCDecoder.Decode(_src.AsSpan(quote + 1, p - quote - 1));
        if (At(p) == '\'')
        {
            Advance(p + 1);
        }
        else
        {
            Error(ParseDiagnosticKind.UnterminatedQuote, "unterminated $' quote", start, p);
            Advance(p);
        }

        return Track(new AnsiCQuotedPart(text, Span(start, _pos)));
    }

    /// <summary><c>"…"</c> or <c>$"…"</c>; <paramref name="contentStart"/> is just after the opening quote.</summary>
    private WordPart ParseDoubleQuoted(int start, int contentStart, bool locale)
    {
        if (!Enter(start))
        {
            _pos = contentStart;
            SkipNested(Closer.Double);
            _tokEnd = _pos;
            return Track(new DoubleQuotedPart([], Span(start, _pos)));
        }

        _pos = contentStart;
        var parts = ParseDoubleQuotedContent(hereDoc: false, stripTabs: false);
        if (Cur == '"')
        {
            Advance(_pos + 1);
        }
        else
        {
            Error(ParseDiagnosticKind.UnterminatedQuote, "unterminated double quote", start, _pos);
            _tokEnd = _pos;
        }

        Exit();
        return locale
            ? Track(new LocaleQuotedPart(parts, Span(start, _pos)))
            : Track(new DoubleQuotedPart(parts, Span(start, _pos)));
    }

    /// <summary>
    /// Double-quoted text, or an unquoted here-document body (where <c>"</c> is ordinary and <c>\"</c> stays as
    /// written): literal text with <c>\$ \` \" \\ \&lt;newline&gt;</c> processed, and expansions.
    /// </summary>
    private List<WordPart> ParseDoubleQuotedContent(bool hereDoc, bool stripTabs)
    {
        var parts = new List<WordPart>();
        var text = new StringBuilder();
        var literalStart = -1;
        var literalEnd = -1;
        var hadEscape = false;
        var lineStart = hereDoc;

        void Flush()
        {
            if (text.Length > 0)
            {
                parts.Add(Track(new LiteralPart(text.ToString(), hadEscape, Span(literalStart, literalEnd))));
            }

            text.Clear();
            literalStart = -1;
            hadEscape = false;
        }

        void Append(char c, int from, int to)
        {
            if (literalStart < 0)
            {
                literalStart = from;
            }

            text.Append(c);
            literalEnd = to;
        }

        while (true)
        {
            if (lineStart)
            {
                lineStart = false;
                while (stripTabs && At(_pos) == '\t')
                {
                    _pos++;
                }
            }

            var c = At(_pos);
            if (c == Eof || (c == '"' && !hereDoc))
            {
                break;
            }

            switch (c)
            {
                case '\\':
                    var next = At(_pos + 1);
                    if (next == '\n')
                    {
                        hadEscape = true;
                        _pos += 2;
                    }
                    else if (next is '$' or '`' or '\\' || (next == '"' && !hereDoc))
                    {
                        Append((char)next, _pos, _pos + 2);
                        hadEscape = true;
                        _pos += 2;
                    }
                    else
                    {
                        Append('\\', _pos, _pos + 1);
                        _pos++;
                    }

                    continue;
                case '$':
                    var part = ParseDollar(quoted: true);
                    if (part is null)
                    {
                        Append('$', _pos, _pos + 1);
                        _pos++;
                    }
                    else
                    {
                        Flush();
                        parts.Add(part);
                    }

                    continue;
                case '`':
                    Flush();
                    parts.Add(ParseBackquote(inDoubleQuotes: !hereDoc));
                    continue;
                default:
                    Append((char)c, _pos, _pos + 1);
                    _pos++;
                    lineStart = c == '\n';
                    continue;
            }
        }

        Flush();
        return parts;
    }

    /// <summary>Everything that starts with <c>$</c>; null (nothing consumed) when the <c>$</c> is literal.</summary>
    private WordPart? ParseDollar(bool quoted)
    {
        var start = _pos;
        var p = SkipCont(_pos + 1);
        var c = At(p);
        switch (c)
        {
            case '(':
                var second = SkipCont(p + 1);
                if (At(second) == '(')
                {
                    var arithmetic = TryParseArithmeticExpansion(start, second + 1);
                    if (arithmetic is not null)
                    {
                        return arithmetic;
                    }
                }

                return ParseSubstitution(start, p + 1, SubstitutionKind.Command);
            case '{':
                return ParseBracedParameter(start, p + 1, quoted);
            case '[':
                return ParseLegacyArithmetic(start, p + 1);
            case '\'':
                return quoted ? null : ParseAnsiC(start, p);
            case '"':
                return quoted ? null : ParseDoubleQuoted(start, p + 1, locale: true);
        }

        if (IsIdentStart(c))
        {
            _pos = p;
            var name = ReadName(digits: false);
            return Track(new ParameterExpansionPart(name, null, null, false, false, false, Span(start, _tokEnd)));
        }

        if (IsDigit(c) || c is '@' or '*' or '#' or '?' or '$' or '!' or '-')
        {
            Advance(p + 1);
            return Track(new ParameterExpansionPart(((char)c).ToString(), null, null, false, false, false, Span(start, _pos)));
        }

        return null;
    }

    /// <summary>Reads an identifier (or a digit string), joining line continuations as bash does.</summary>
    private string ReadName(bool digits)
    {
        var builder = new StringBuilder();
        var p = _pos;
        var end = p;
        while (true)
        {
            var c = At(p);
            if (digits ? !IsDigit(c) : !IsIdentChar(c))
            {
                var q = SkipCont(p);
                if (q == p || (digits ? !IsDigit(At(q)) : !IsIdentChar(At(q))))
                {
                    break;
                }

                p = q;
                continue;
            }

            builder.Append((char)c);
            p++;
            end = p;
        }

        Advance(end);
        return builder.ToString();
    }

    private static bool IsSpecialParameter(int c) => c is '@' or '*' or '#' or '?' or '$' or '!' or '-';

    /// <summary><c>${ … }</c>: prefix (<c>#</c>, <c>!</c>), name with optional subscript, operator, argument word.</summary>
    private ParameterExpansionPart ParseBracedParameter(int start, int afterBrace, bool quoted)
    {
        if (!Enter(start))
        {
            _pos = afterBrace;
            SkipNested(Closer.Parameter);
            _tokEnd = _pos;
            return Track(new ParameterExpansionPart(string.Empty, null, null, true, false, false, Span(start, _pos)));
        }

        _pos = SkipCont(afterBrace);
        var length = false;
        var indirect = false;
        var c = Cur;
        var afterPrefix = SkipCont(_pos + 1);
        var next = At(afterPrefix);
        if (c is '#' or '!' && next != '}'
            && (IsIdentStart(next) || IsDigit(next) || (IsSpecialParameter(next) && At(SkipCont(afterPrefix + 1)) == '}')))
        {
            length = c == '#';
            indirect = c == '!';
            _pos = afterPrefix;
        }

        string name;
        c = Cur;
        if (IsIdentStart(c))
        {
            name = ReadName(digits: false);
        }
        else if (IsDigit(c))
        {
            name = ReadName(digits: true);
        }
        else if (IsSpecialParameter(c))
        {
            name = ((char)c).ToString();
            Advance(_pos + 1);
        }
        else
        {
            SyntaxError("bad substitution", start, _pos + 1);
            SkipNested(Closer.Parameter);
            _tokEnd = _pos;
            Exit();
            return Track(new ParameterExpansionPart(string.Empty, null, null, true, false, false, Span(start, _pos)));
        }

        List<WordPart>? expansions = null;
        _pos = SkipCont(_pos);
        if (IsIdentStart(name[0]) && Cur == '[')
        {
            var subscriptStart = _pos;
            var atoms = _ctx.Atoms;
            var atomBase = atoms.Count;
            expansions = [];
            ScanSubscript(atomBase, AtomKind.Plain, expansions);
            atoms.RemoveRange(atomBase, atoms.Count - atomBase);
            name += RawText(subscriptStart, _pos);
            _pos = SkipCont(_pos);
        }

        string? op = null;
        Word? argument = null;
        c = Cur;
        if (c is not '}' and not Eof)
        {
            var second = SkipCont(_pos + 1);
            var d = At(second);
            var opEnd = _pos + 1;
            switch (c)
            {
                case ':':
                    if (d is '-' or '=' or '?' or '+')
                    {
                        op = ":" + (char)d;
                        opEnd = second + 1;
                    }
                    else
                    {
                        op = ":";
                    }

                    break;
                case '-' or '=' or '?' or '+' or '@':
                    op = ((char)c).ToString();
                    break;
                case '#' or '%' or '^' or ',':
                    if (d == c)
                    {
                        op = new string((char)c, 2);
                        opEnd = second + 1;
                    }
                    else
                    {
                        op = ((char)c).ToString();
                    }

                    break;
                case '/':
                    if (d is '/' or '#' or '%')
                    {
                        op = "/" + (char)d;
                        opEnd = second + 1;
                    }
                    else
                    {
                        op = "/";
                    }

                    break;
                case '*' when indirect:
                    op = "*";
                    break;
                default:
                    // bash accepts this at parse time and fails when expanding; the command would not run as written.
                    SyntaxError("bad substitution", start, _pos + 1);
                    op = ((char)c).ToString();
                    break;
            }

            Advance(opEnd);
            var argumentMode = quoted
                ? WordMode.ParameterArgument | WordMode.InDoubleQuotes
                : WordMode.ParameterArgument | WordMode.Glob | WordMode.Tilde;
            argument = ParseWord(argumentMode);
            if (argument is null && !(indirect && op is "@" or "*"))
            {
                argument = Track(new Word([], Span(_pos, _pos)));
            }
        }

        if (Cur == '}')
        {
            Advance(_pos + 1);
        }
        else
        {
            Error(ParseDiagnosticKind.UnterminatedQuote, "unterminated ${", start, _pos);
            _tokEnd = _pos;
        }

        Exit();
        var expansion = new ParameterExpansionPart(name, op, argument, true, length, indirect, Span(start, _pos)) { Expansions = expansions ?? [] };
        return Track(expansion);
    }

    private enum SubstitutionKind
    {
        Command,
        Process,
    }

    /// <summary>
    /// <c>$( … )</c>, <c>&lt;( … )</c> or <c>&gt;( … )</c>: the body is parsed as a command list, recursively, with
    /// its own here-document queue (as in bash), and closers of enclosing constructs do not apply inside it.
    /// </summary>
    private WordPart ParseSubstitution(int start, int bodyStart, SubstitutionKind kind)
    {
        var isInput = At(start) == '<';
        if (!Enter(start))
        {
            _pos = bodyStart;
            SkipNested(Closer.Paren);
            _tokEnd = _pos;
            var skipped = EmptyList();
            return kind == SubstitutionKind.Command
                ? Track(new CommandSubstitutionPart(skipped, false, Span(start, _pos)))
                : Track(new ProcessSubstitutionPart(skipped, isInput, Span(start, _pos)));
        }

        _pos = bodyStart;
        var savedPending = _pending;
        _pending = [];
        var savedStops = (int[])_openStops.Clone();
        Array.Clear(_openStops);
        _comsubDepth++;

        var body = ParseList(Stop.RParen);
        if (Cur == ')')
        {
            Advance(_pos + 1);
        }
        else
        {
            Error(ParseDiagnosticKind.UnterminatedQuote, kind == SubstitutionKind.Command ? "unterminated $(" : "unterminated process substitution", start, _pos);
            _tokEnd = _pos;
        }

        FinishPendingHereDocs();
        _comsubDepth--;
        savedStops.CopyTo(_openStops, 0);
        _pending = savedPending;
        Exit();
        return kind == SubstitutionKind.Command
            ? Track(new CommandSubstitutionPart(body, false, Span(start, _pos)))
            : Track(new ProcessSubstitutionPart(body, isInput, Span(start, _pos)));
    }

    /// <summary>
    /// <c>`…`</c>: the closing backquote is the first unescaped one; <c>\\ \` \$</c> (and <c>\"</c> inside double
    /// quotes) are un-escaped and the result is parsed by a nested parser whose spans map back into this source.
    /// </summary>
    private CommandSubstitutionPart ParseBackquote(bool inDoubleQuotes)
    {
        var start = _pos;
        var p = _pos + 1;
        var found = false;
        while (true)
        {
            var c = At(p);
            if (c == Eof)
            {
                break;
            }

            if (c == '`')
            {
                found = true;
                break;
            }

            p += c == '\\' && At(p + 1) != Eof ? 2 : 1;
        }

        var close = p;
        var end = found ? close + 1 : close;
        if (!found)
        {
            Error(ParseDiagnosticKind.UnterminatedQuote, "unterminated backquote", start, close);
        }

        if (!Enter(start))
        {
            Advance(end);
            return Track(new CommandSubstitutionPart(EmptyList(), true, Span(start, end)));
        }

        var inner = new StringBuilder(close - start);
        var map = new int[close - start + 1];
        var length = 0;
        for (var i = start + 1; i < close; i++)
        {
            var c = _src[i];
            if (c == '\\' && i + 1 < close && (_src[i + 1] is '$' or '`' or '\\' || (inDoubleQuotes && _src[i + 1] == '"')))
            {
                i++;
                c = _src[i];
            }

            map[length++] = _map is null ? i : _map[i];
            inner.Append(c);
        }

        map[length] = _map is null ? close : _map[close];
        var nested = new Parser(_ctx, inner.ToString(), map[..(length + 1)]);
        var body = nested.ParseNestedBody();
        Exit();
        Advance(end);
        return Track(new CommandSubstitutionPart(body, true, Span(start, end)));
    }

    /// <summary><c>$(( … ))</c>; null when the parentheses do not close as <c>))</c> (then it is <c>$( ( … ) )</c>).</summary>
    private ArithmeticExpansionPart? TryParseArithmeticExpansion(int start, int expressionStart)
    {
        if (!Enter(start))
        {
            return null;
        }

        var before = _pos;
        _pos = expressionStart;
        if (TrySpeculativeArithmetic(out var from, out var to, out var expansions))
        {
            _tokEnd = _pos;
            Exit();
            return Track(new ArithmeticExpansionPart(RawText(from, to), Span(start, _pos)) { Expansions = expansions });
        }

        _pos = before;
        Exit();
        return null;
    }

    /// <summary>The legacy <c>$[ … ]</c> arithmetic expansion.</summary>
    private ArithmeticExpansionPart ParseLegacyArithmetic(int start, int expressionStart)
    {
        if (!Enter(start))
        {
            _pos = expressionStart;
            SkipNested(Closer.Bracket);
            _tokEnd = _pos;
            return Track(new ArithmeticExpansionPart(string.Empty, Span(start, _pos)));
        }

        _pos = expressionStart;
        if (!ScanArithmetic(ArithmeticClose.Bracket, out var from, out var to, out var expansions, out _))
        {
            Error(ParseDiagnosticKind.UnterminatedQuote, "unterminated $[", start, _pos);
        }

        _tokEnd = _pos;
        Exit();
        return Track(new ArithmeticExpansionPart(RawText(from, to), Span(start, _pos)) { Expansions = expansions });
    }

    /// <summary>
    /// Scans an arithmetic expression up to its closer (<c>))</c> at parenthesis depth zero, or <c>]</c>), parsing the
    /// quotes and expansions inside it. Fails at end of input, or when a <c>)</c> at depth zero is not followed by
    /// another <c>)</c> (bash then reads <c>((</c> as two subshells).
    /// </summary>
    private bool ScanArithmetic(ArithmeticClose close, out int expressionStart, out int expressionEnd, out List<WordPart> expansions, out List<int> semicolons)
    {
        expressionStart = _pos;
        expansions = [];
        semicolons = [];
        var depth = 0;
        while (true)
        {
            var c = At(_pos);
            switch (c)
            {
                case Eof:
                    expressionEnd = _pos;
                    return false;
                case '\\':
                    _pos += At(_pos + 1) == Eof ? 1 : 2;
                    break;
                case '(':
                    depth += close == ArithmeticClose.DoubleParen ? 1 : 0;
                    _pos++;
                    break;
                case ')' when close == ArithmeticClose.DoubleParen:
                    if (depth == 0)
                    {
                        expressionEnd = _pos;
                        var second = SkipCont(_pos + 1);
                        if (At(second) != ')')
                        {
                            return false;
                        }

                        _pos = second + 1;
                        return true;
                    }

                    depth--;
                    _pos++;
                    break;
                case '[' when close == ArithmeticClose.Bracket:
                    depth++;
                    _pos++;
                    break;
                case ']' when close == ArithmeticClose.Bracket:
                    if (depth == 0)
                    {
                        expressionEnd = _pos;
                        _pos++;
                        return true;
                    }

                    depth--;
                    _pos++;
                    break;
                case '\'':
                    ParseSingleQuoted();
                    break;
                case '"':
                    AddIfDynamic(expansions, ParseDoubleQuoted(_pos, _pos + 1, locale: false));
                    break;
                case '`':
                    expansions.Add(ParseBackquote(inDoubleQuotes: false));
                    break;
                case '$':
                    var part = ParseDollar(quoted: false);
                    if (part is null)
                    {
                        _pos++;
                    }
                    else
                    {
                        AddIfDynamic(expansions, part);
                    }

                    break;
                case ';':
                    if (depth == 0)
                    {
                        semicolons.Add(_pos);
                    }

                    _pos++;
                    break;
                default:
                    _pos++;
                    break;
            }
        }
    }

    private static void AddIfDynamic(List<WordPart> expansions, WordPart part)
    {
        if (!IsStaticPart(part))
        {
            expansions.Add(part);
        }
    }
}
