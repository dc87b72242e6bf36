using System.Globalization;

namespace Guardrails.Shell.Syntax;

/// <summary>The command grammar: lists, pipelines, simple and compound commands, redirections.</summary>
internal sealed partial class Parser
{
    private const int StopBits = 11;

    /// <summary>Tokens that end a command list; which ones a list expects depends on the construct around it.</summary>
    [Flags]
    private enum Stop
    {
        None = 0,
        Eof = 1 << 0,
        RParen = 1 << 1,
        RBrace = 1 << 2,
        Then = 1 << 3,
        Elif = 1 << 4,
        Else = 1 << 5,
        Fi = 1 << 6,
        Do = 1 << 7,
        Done = 1 << 8,
        Esac = 1 << 9,
        CaseEnd = 1 << 10,
    }

    private enum Tok
    {
        Word,
        Eof,
        Newline,
        Semi,
        DoubleSemi,
        SemiAmp,
        DoubleSemiAmp,
        Amp,
        AndAnd,
        Pipe,
        OrOr,
        PipeAmp,
        LParen,
        RParen,
        Redirection,
    }

    /// <summary>Classifies the operator at the current position (after blanks) without consuming it.</summary>
    private Tok PeekOp(out int end)
    {
        var p = _pos;
        var c = At(p);
        end = p + 1;
        if (c == Eof)
        {
            end = p;
            return Tok.Eof;
        }

        var q = SkipCont(p + 1);
        var d = At(q);
        switch (c)
        {
            case '\n':
                return Tok.Newline;
            case ';':
                if (d == ';')
                {
                    var r = SkipCont(q + 1);
                    if (At(r) == '&')
                    {
                        end = r + 1;
                        return Tok.DoubleSemiAmp;
                    }

                    end = q + 1;
                    return Tok.DoubleSemi;
                }

                if (d == '&')
                {
                    end = q + 1;
                    return Tok.SemiAmp;
                }

                return Tok.Semi;
            case '&':
                if (d == '&')
                {
                    end = q + 1;
                    return Tok.AndAnd;
                }

                return d == '>' ? Tok.Redirection : Tok.Amp;
            case '|':
                if (d == '|')
                {
                    end = q + 1;
                    return Tok.OrOr;
                }

                if (d == '&')
                {
                    end = q + 1;
                    return Tok.PipeAmp;
                }

                return Tok.Pipe;
            case '(':
                return Tok.LParen;
            case ')':
                return Tok.RParen;
            case '<':
            case '>':
                // "<(" and ">(" start a process substitution, which is a word.
                return d == '(' ? Tok.Word : Tok.Redirection;
            default:
                return Tok.Word;
        }
    }

    /// <summary>
    /// Returns the reserved word at the current position, if the upcoming word is one (unquoted, followed by a
    /// metacharacter). Whether it acts as a reserved word is up to the caller, which knows the grammar position.
    /// </summary>
    private string? PeekReserved(out int end)
    {
        Span<char> buffer = stackalloc char[9];
        var length = 0;
        var p = _pos;
        end = p;
        while (true)
        {
            p = SkipCont(p);
            var c = At(p);
            if (c is not (>= 'a' and <= 'z' or '{' or '}' or '!' or '[' or ']'))
            {
                break;
            }

            if (length == buffer.Length)
            {
                return null;
            }

            buffer[length++] = (char)c;
            p++;
            end = p;
        }

        if (length == 0 || !IsMeta(At(p)))
        {
            return null;
        }

        return buffer[..length] switch
        {
            "if" => "if",
            "then" => "then",
            "elif" => "elif",
            "else" => "else",
            "fi" => "fi",
            "do" => "do",
            "done" => "done",
            "while" => "while",
            "until" => "until",
            "for" => "for",
            "in" => "in",
            "case" => "case",
            "esac" => "esac",
            "select" => "select",
            "function" => "function",
            "time" => "time",
            "coproc" => "coproc",
            "!" => "!",
            "{" => "{",
            "}" => "}",
            "[[" => "[[",
            "]]" => "]]",
            _ => null,
        };
    }

    private Stop StopAt(Tok tok, int opEnd, out int end)
    {
        end = opEnd;
        switch (tok)
        {
            case Tok.Eof:
                return Stop.Eof;
            case Tok.RParen:
                return Stop.RParen;
            case Tok.DoubleSemi or Tok.SemiAmp or Tok.DoubleSemiAmp:
                return Stop.CaseEnd;
            case Tok.Word:
                return PeekReserved(out end) switch
                {
                    "}" => Stop.RBrace,
                    "then" => Stop.Then,
                    "elif" => Stop.Elif,
                    "else" => Stop.Else,
                    "fi" => Stop.Fi,
                    "do" => Stop.Do,
                    "done" => Stop.Done,
                    "esac" => Stop.Esac,
                    _ => Stop.None,
                };
            default:
                return Stop.None;
        }
    }

    private void AdjustOpenStops(Stop stops, int delta)
    {
        for (var bit = 1; bit < StopBits; bit++)
        {
            if (((int)stops & (1 << bit)) != 0)
            {
                _openStops[bit] += delta;
            }
        }
    }

    private bool IsOpenElsewhere(Stop stop)
    {
        var bit = System.Numerics.BitOperations.TrailingZeroCount((int)stop);
        return bit < StopBits && _openStops[bit] > 0;
    }

    /// <summary>
    /// Parses a command list up to a token in <paramref name="expected"/> (not consumed). A closer that an enclosing
    /// list expects also ends it, so that one missing keyword does not swallow the rest of the input; any other
    /// unexpected token is reported, skipped, and parsing resumes, so later commands stay visible.
    /// </summary>
    private CommandList ParseList(Stop expected)
    {
        AdjustOpenStops(expected, 1);
        var items = new List<ListItem>();
        var listStart = -1;
        var listEnd = -1;
        while (true)
        {
            SkipLinebreaks();
            var tokenStart = _pos;
            var tok = PeekOp(out var opEnd);
            var stop = StopAt(tok, opEnd, out var stopEnd);
            if (stop != Stop.None)
            {
                if ((expected & stop) != 0 || stop == Stop.Eof || IsOpenElsewhere(stop))
                {
                    break;
                }

                SyntaxError("syntax error near unexpected token " + Describe(tokenStart, stopEnd), tokenStart, stopEnd);
                SkipUnexpected(stopEnd);
                continue;
            }

            if (tok is Tok.Semi or Tok.Amp or Tok.AndAnd or Tok.OrOr or Tok.Pipe or Tok.PipeAmp)
            {
                SyntaxError("syntax error near unexpected token " + Describe(tokenStart, opEnd), tokenStart, opEnd);
                SkipUnexpected(opEnd);
                continue;
            }

            var andOr = ParseAndOr();
            if (andOr is null)
            {
                if (_pos == tokenStart && Cur != Eof)
                {
                    SyntaxError("syntax error near unexpected token " + Describe(tokenStart, tokenStart + 1), tokenStart, tokenStart + 1);
                    Advance(tokenStart + 1);
                }

                continue;
            }

            var itemEnd = _tokEnd;
            var background = false;
            SkipBlanksAndComment();
            var separatorStart = _pos;
            tok = PeekOp(out opEnd);
            if (tok == Tok.Semi)
            {
                Advance(opEnd);
            }
            else if (tok == Tok.Amp)
            {
                Advance(opEnd);
                background = true;
                itemEnd = opEnd;
            }
            else if (tok is not Tok.Newline and not Tok.Eof && StopAt(tok, opEnd, out _) == Stop.None)
            {
                SyntaxError("syntax error near unexpected token " + Describe(separatorStart, opEnd), separatorStart, opEnd);
            }

            items.Add(Track(new ListItem(andOr, background, Span(tokenStart, itemEnd))));
            if (listStart < 0)
            {
                listStart = tokenStart;
            }

            listEnd = itemEnd;
        }

        AdjustOpenStops(expected, -1);
        return listStart < 0
            ? Track(new CommandList(items, Span(_pos, _pos)))
            : Track(new CommandList(items, Span(listStart, listEnd)));
    }

    /// <summary>Skips a reported token and a separator right after it, so one mistake yields one diagnostic.</summary>
    private void SkipUnexpected(int end)
    {
        Advance(end);
        SkipBlanks();
        if (PeekOp(out var separatorEnd) is Tok.Semi or Tok.Amp)
        {
            Advance(separatorEnd);
        }
    }

    private CommandList EmptyList() => Track(new CommandList([], Span(_pos, _pos)));

    /// <summary>bash rejects an empty list where a compound command needs one (<c>{ }</c>, <c>if ; then</c>).</summary>
    private CommandList NonEmpty(CommandList list, int at)
    {
        if (list.Items.Count == 0)
        {
            SyntaxError("syntax error near unexpected token " + Describe(_pos, WordEndGuess()) + " (empty command list)", at, Math.Max(at + 1, _pos));
        }

        return list;
    }

    private AndOrList? ParseAndOr()
    {
        var start = _pos;
        var first = ParsePipeline();
        if (first is null)
        {
            return null;
        }

        List<(AndOrOperator, Pipeline)>? rest = null;
        while (true)
        {
            SkipBlanksAndComment();
            var operatorStart = _pos;
            var tok = PeekOp(out var opEnd);
            if (tok is not (Tok.AndAnd or Tok.OrOr))
            {
                break;
            }

            Advance(opEnd);
            SkipLinebreaks();
            var next = ParsePipeline();
            if (next is null)
            {
                SyntaxError("expected a command after " + Describe(operatorStart, opEnd), operatorStart, opEnd);
                break;
            }

            (rest ??= []).Add((tok == Tok.AndAnd ? AndOrOperator.And : AndOrOperator.Or, next));
        }

        return Track(new AndOrList(first, rest ?? (IReadOnlyList<(AndOrOperator, Pipeline)>)[], Span(start, _tokEnd)));
    }

    private Pipeline? ParsePipeline()
    {
        var start = _pos;
        var negated = false;
        var timed = false;
        var prefixed = false;
        while (true)
        {
            SkipBlanksAndComment();
            if (!prefixed)
            {
                start = _pos;
            }

            var word = PeekReserved(out var end);
            if (word == "!")
            {
                negated = !negated;
            }
            else if (word == "time")
            {
                timed = true;
            }
            else
            {
                break;
            }

            prefixed = true;
            Advance(end);
            if (word == "time")
            {
                SkipBlanks();
                if (Cur == '-' && At(_pos + 1) == 'p' && IsMeta(At(_pos + 2)))
                {
                    Advance(_pos + 2);
                }
            }
        }

        var first = ParseCommand();
        if (first is null)
        {
            return prefixed ? Track(new Pipeline(negated, timed, [], [], Span(start, _tokEnd))) : null;
        }

        // A pipeline of one command (the common case) needs no lists.
        List<Command>? commands = null;
        List<bool>? pipeStderr = null;
        while (true)
        {
            SkipBlanksAndComment();
            var operatorStart = _pos;
            var tok = PeekOp(out var opEnd);
            if (tok is not (Tok.Pipe or Tok.PipeAmp))
            {
                break;
            }

            Advance(opEnd);
            SkipLinebreaks();
            var next = ParseCommand();
            if (next is null)
            {
                SyntaxError("expected a command after " + Describe(operatorStart, opEnd), operatorStart, opEnd);
                break;
            }

            (commands ??= [first]).Add(next);
            (pipeStderr ??= []).Add(tok == Tok.PipeAmp);
        }

        return Track(new Pipeline(negated, timed, commands ?? (IReadOnlyList<Command>)[first], pipeStderr ?? (IReadOnlyList<bool>)[], Span(start, _tokEnd)));
    }

    private Command? ParseCommand()
    {
        SkipBlanksAndComment();
        var start = _pos;
        var tok = PeekOp(out var opEnd);
        switch (tok)
        {
            case Tok.LParen:
                return ParseCompound("(", start, opEnd);
            case Tok.Redirection:
                return ParseSimpleCommand(null, start);
            case Tok.Word:
                break;
            default:
                return null;
        }

        var word = PeekReserved(out var end);
        switch (word)
        {
            case "if" or "while" or "until" or "for" or "select" or "case" or "{":
                return ParseCompound(word, start, end);
            case "[[":
                return ParseConditional(start, end);
            case "function":
                return ParseFunctionKeyword(start, end);
            case "coproc":
                return ParseCoproc(start, end);
            case "then" or "elif" or "else" or "fi" or "do" or "done" or "esac" or "}":
                return null;
            default:
                return ParseSimpleCommand(null, start);
        }
    }

    /// <summary>Parses a compound command behind one level of the depth limit; over the limit it is skipped whole.</summary>
    private Command ParseCompound(string keyword, int start, int keywordEnd)
    {
        if (!Enter(start))
        {
            Advance(keywordEnd);
            SkipNested(keyword switch
            {
                "(" => Closer.Paren,
                "{" => Closer.BraceWord,
                "if" => Closer.Fi,
                "case" => Closer.Esac,
                _ => Closer.Done,
            });
            _tokEnd = Math.Max(_tokEnd, _pos);
            return Track(new BraceGroup(EmptyList(), [], Span(start, _pos)));
        }

        Advance(keywordEnd);
        var command = keyword switch
        {
            "(" => ParseParenRest(start, keywordEnd),
            "if" => ParseIfRest(start),
            "while" => ParseWhileRest(start, isUntil: false),
            "until" => ParseWhileRest(start, isUntil: true),
            "for" => ParseForRest(start, isSelect: false),
            "select" => ParseForRest(start, isSelect: true),
            "case" => ParseCaseRest(start),
            _ => ParseBraceGroupRest(start),
        };
        Exit();
        return command;
    }

    private List<Redirection> ParseTrailingRedirections()
    {
        List<Redirection>? redirections = null;
        while (true)
        {
            SkipBlanks();
            var redirection = TryParseRedirection();
            if (redirection is null)
            {
                return redirections ?? [];
            }

            (redirections ??= []).Add(redirection);
        }
    }

    private bool ExpectReserved(string word)
    {
        SkipLinebreaks();
        if (PeekReserved(out var end) == word)
        {
            Advance(end);
            return true;
        }

        var found = Cur == Eof ? "unexpected end of input" : "syntax error near unexpected token " + Describe(_pos, WordEndGuess());
        SyntaxError(found + " (expected `" + word + "')", _pos, WordEndGuess());
        return false;
    }

    /// <summary>A rough end of the token at the current position, for diagnostic spans only.</summary>
    private int WordEndGuess()
    {
        var p = _pos;
        while (p < _end && p - _pos < 40 && !IsMeta(_src[p]))
        {
            p++;
        }

        return Math.Max(p, Math.Min(_pos + 1, _end));
    }

    /// <summary><c>( list )</c> or <c>(( expression ))</c>: arithmetic when the <c>((</c> closes with <c>))</c>.</summary>
    private Command ParseParenRest(int start, int parenEnd)
    {
        var second = SkipCont(parenEnd);
        if (At(second) == '(')
        {
            var before = _pos;
            _pos = second + 1;
            if (TrySpeculativeArithmetic(out var expressionStart, out var expressionEnd, out var expansions))
            {
                _tokEnd = _pos;
                var arithmeticRedirections = ParseTrailingRedirections();
                return Track(new ArithmeticCommand(RawText(expressionStart, expressionEnd), arithmeticRedirections, Span(start, _tokEnd)) { Expansions = expansions });
            }

            _pos = before;
        }

        Advance(parenEnd);
        var body = NonEmpty(ParseList(Stop.RParen), _pos);
        if (Cur == ')')
        {
            Advance(_pos + 1);
        }
        else
        {
            UnexpectedInsteadOf(")", start);
        }

        var redirections = ParseTrailingRedirections();
        return Track(new Subshell(body, redirections, Span(start, _tokEnd)));
    }

    private void UnexpectedInsteadOf(string closer, int openedAt)
    {
        if (Cur == Eof)
        {
            SyntaxError("unexpected end of input (expected `" + closer + "')", openedAt, openedAt + 1);
        }
        else
        {
            SyntaxError("syntax error near unexpected token " + Describe(_pos, WordEndGuess()) + " (expected `" + closer + "')", _pos, WordEndGuess());
        }
    }

    private BraceGroup ParseBraceGroupRest(int start)
    {
        var body = NonEmpty(ParseList(Stop.RBrace), _pos);
        ExpectReserved("}");
        var redirections = ParseTrailingRedirections();
        return Track(new BraceGroup(body, redirections, Span(start, _tokEnd)));
    }

    private IfCommand ParseIfRest(int start)
    {
        var branches = new List<(CommandList, CommandList)>();
        CommandList? elseBody = null;
        while (true)
        {
            var condition = NonEmpty(ParseList(Stop.Then), _pos);
            if (!ExpectReserved("then"))
            {
                branches.Add((condition, EmptyList()));
                break;
            }

            var body = NonEmpty(ParseList(Stop.Elif | Stop.Else | Stop.Fi), _pos);
            branches.Add((condition, body));
            var word = PeekReserved(out var end);
            if (word == "elif")
            {
                Advance(end);
                continue;
            }

            if (word == "else")
            {
                Advance(end);
                elseBody = NonEmpty(ParseList(Stop.Fi), _pos);
            }

            ExpectReserved("fi");
            break;
        }

        var redirections = ParseTrailingRedirections();
        return Track(new IfCommand(branches, elseBody, redirections, Span(start, _tokEnd)));
    }

    private WhileCommand ParseWhileRest(int start, bool isUntil)
    {
        var condition = NonEmpty(ParseList(Stop.Do), _pos);
        var body = ExpectReserved("do") ? ParseListThen(Stop.Done, "done") : EmptyList();
        var redirections = ParseTrailingRedirections();
        return Track(new WhileCommand(condition, body, isUntil, redirections, Span(start, _tokEnd)));
    }

    private CommandList ParseListThen(Stop stop, string closer)
    {
        var body = NonEmpty(ParseList(stop), _pos);
        ExpectReserved(closer);
        return body;
    }

    /// <summary>The body of <c>for</c>/<c>select</c>: <c>do … done</c> or, as bash also accepts, <c>{ … }</c>.</summary>
    private CommandList ParseLoopBody()
    {
        SkipLinebreaks();
        var word = PeekReserved(out var end);
        if (word == "do")
        {
            Advance(end);
            return ParseListThen(Stop.Done, "done");
        }

        if (word == "{")
        {
            Advance(end);
            return ParseListThen(Stop.RBrace, "}");
        }

        UnexpectedInsteadOf("do", _pos);
        return EmptyList();
    }

    private Command ParseForRest(int start, bool isSelect)
    {
        SkipBlanks();
        if (!isSelect && Cur == '(' && At(SkipCont(_pos + 1)) == '(')
        {
            return ParseArithmeticForRest(start);
        }

        var name = ParseWord(WordMode.None);
        if (name is null)
        {
            UnexpectedInsteadOf("name", start);
            var empty = EmptyList();
            return isSelect
                ? Track(new SelectCommand(string.Empty, null, empty, [], Span(start, _tokEnd)))
                : Track(new ForCommand(string.Empty, null, empty, [], Span(start, _tokEnd)));
        }

        var variable = StaticOrDisplay(name);
        List<Word>? items = null;
        SkipLinebreaks();
        if (PeekReserved(out var inEnd) == "in")
        {
            Advance(inEnd);
            items = [];
            while (true)
            {
                SkipBlanksAndComment();
                if (PeekOp(out _) != Tok.Word)
                {
                    break;
                }

                var item = ParseWord(WordMode.Normal);
                if (item is null)
                {
                    break;
                }

                items.Add(item);
            }

            var terminatorStart = _pos;
            var tok = PeekOp(out var terminatorEnd);
            if (tok == Tok.Semi)
            {
                Advance(terminatorEnd);
            }
            else if (tok is not (Tok.Newline or Tok.Eof))
            {
                SyntaxError("syntax error near unexpected token " + Describe(terminatorStart, terminatorEnd) + " (expected `;' or newline)", terminatorStart, terminatorEnd);
            }
        }
        else if (PeekOp(out var semicolonEnd) == Tok.Semi)
        {
            Advance(semicolonEnd);
        }

        var body = ParseLoopBody();
        var redirections = ParseTrailingRedirections();
        return isSelect
            ? Track(new SelectCommand(variable, items, body, redirections, Span(start, _tokEnd)))
            : Track(new ForCommand(variable, items, body, redirections, Span(start, _tokEnd)));
    }

    private Command ParseArithmeticForRest(int start)
    {
        var open = _pos;
        var snapshot = Save();
        _pos = SkipCont(_pos + 1) + 1;
        if (!ScanArithmetic(ArithmeticClose.DoubleParen, out var expressionStart, out var expressionEnd, out var expansions, out var semicolons))
        {
            // Leave the text to the list parser: as commands it is at least visible.
            Restore(snapshot);
            SyntaxError("expected `))' closing the arithmetic `for'", open, open + 2);
            return Track(new ForCommand(string.Empty, null, EmptyList(), [], Span(start, _tokEnd)));
        }

        _tokEnd = _pos;
        if (semicolons.Count != 2)
        {
            SyntaxError("arithmetic `for' needs three expressions separated by `;'", open, _pos);
        }

        var first = semicolons.Count > 0 ? semicolons[0] : expressionEnd;
        var second = semicolons.Count > 1 ? semicolons[1] : expressionEnd;
        var init = RawText(expressionStart, first);
        var test = first < expressionEnd ? RawText(first + 1, second) : string.Empty;
        var update = second < expressionEnd ? RawText(second + 1, expressionEnd) : string.Empty;

        SkipBlanks();
        if (PeekOp(out var semicolonEnd) == Tok.Semi)
        {
            Advance(semicolonEnd);
        }

        var body = ParseLoopBody();
        var redirections = ParseTrailingRedirections();
        return Track(new ArithmeticForCommand(init, test, update, body, redirections, Span(start, _tokEnd)) { Expansions = expansions });
    }

    private CaseCommand ParseCaseRest(int start)
    {
        SkipBlanks();
        var subject = ParseWord(WordMode.Tilde);
        if (subject is null)
        {
            UnexpectedInsteadOf("word", start);
            subject = Track(new Word([], Span(_pos, _pos)));
        }

        var items = new List<CaseItem>();
        if (!ExpectReserved("in"))
        {
            return Track(new CaseCommand(subject, items, [], Span(start, _tokEnd)));
        }

        while (true)
        {
            SkipLinebreaks();
            var itemStart = _pos;
            if (PeekReserved(out var esacEnd) == "esac")
            {
                Advance(esacEnd);
                break;
            }

            var tok = PeekOp(out var opEnd);
            if (tok == Tok.Eof || (tok == Tok.RParen && IsOpenElsewhere(Stop.RParen)))
            {
                UnexpectedInsteadOf("esac", start);
                break;
            }

            if (tok == Tok.LParen)
            {
                Advance(opEnd);
            }

            var patterns = new List<Word>();
            while (true)
            {
                SkipBlanks();
                if (PeekOp(out _) != Tok.Word)
                {
                    break;
                }

                var pattern = ParseWord(WordMode.Pattern);
                if (pattern is null)
                {
                    break;
                }

                patterns.Add(pattern);
                SkipBlanks();
                tok = PeekOp(out opEnd);
                if (tok != Tok.Pipe)
                {
                    break;
                }

                Advance(opEnd);
            }

            tok = PeekOp(out opEnd);
            if (tok == Tok.RParen && patterns.Count > 0)
            {
                Advance(opEnd);
            }
            else
            {
                UnexpectedInsteadOf(patterns.Count == 0 ? "pattern" : ")", itemStart);
            }

            var body = ParseList(Stop.CaseEnd | Stop.Esac);
            tok = PeekOp(out opEnd);
            if (tok is Tok.DoubleSemi or Tok.SemiAmp or Tok.DoubleSemiAmp)
            {
                Advance(opEnd);
            }

            items.Add(Track(new CaseItem(patterns, body, Span(itemStart, Math.Max(itemStart, _tokEnd)))));
            if (_pos == itemStart)
            {
                // Nothing could be consumed (a closer of an enclosing construct): give up on this case.
                UnexpectedInsteadOf("esac", start);
                break;
            }
        }

        var redirections = ParseTrailingRedirections();
        return Track(new CaseCommand(subject, items, redirections, Span(start, _tokEnd)));
    }

    /// <summary><c>[[ … ]]</c>: words in order; <c>&lt; &gt; &amp;&amp; || ( )</c> become operator words.</summary>
    private ConditionalCommand ParseConditional(int start, int keywordEnd)
    {
        Advance(keywordEnd);
        var words = new List<Word>();
        var regexNext = false;
        while (true)
        {
            while (true)
            {
                SkipBlanks();
                if (Cur != '\n')
                {
                    break;
                }

                ConsumeNewline();
            }

            if (Cur == Eof)
            {
                UnexpectedInsteadOf("]]", start);
                break;
            }

            if (PeekReserved(out var closeEnd) == "]]")
            {
                Advance(closeEnd);
                break;
            }

            var opStart = _pos;
            var tok = PeekOp(out var opEnd);
            if (!regexNext || tok != Tok.Word)
            {
                string? op = tok switch
                {
                    Tok.AndAnd => "&&",
                    Tok.OrOr => "||",
                    Tok.LParen => "(",
                    Tok.RParen => ")",
                    Tok.Redirection when Cur is '<' or '>' => Cur == '<' ? "<" : ">",
                    _ => null,
                };
                if (op is not null)
                {
                    if (tok == Tok.Redirection)
                    {
                        opEnd = _pos + 1;
                    }

                    Advance(opEnd);
                    var literal = Track(new LiteralPart(op, false, Span(opStart, opEnd)));
                    words.Add(Track(new Word([literal], Span(opStart, opEnd))));
                    continue;
                }

                if (tok != Tok.Word)
                {
                    SyntaxError("syntax error in conditional expression near " + Describe(opStart, opEnd), opStart, opEnd);
                    break;
                }
            }

            var word = ParseWord(regexNext ? WordMode.Regex : WordMode.Pattern);
            if (word is null)
            {
                SyntaxError("syntax error in conditional expression near " + Describe(opStart, opStart + 1), opStart, opStart + 1);
                break;
            }

            words.Add(word);
            regexNext = word.TryGetStaticText(out var text) && text == "=~";
        }

        var redirections = ParseTrailingRedirections();
        return Track(new ConditionalCommand(words, redirections, Span(start, _tokEnd)));
    }

    private FunctionDefinition ParseFunctionKeyword(int start, int keywordEnd)
    {
        Advance(keywordEnd);
        SkipBlanks();
        var nameWord = ParseWord(WordMode.None);
        if (nameWord is null)
        {
            UnexpectedInsteadOf("function name", start);
            return Track(new FunctionDefinition(string.Empty, Track(new BraceGroup(EmptyList(), [], Span(_pos, _pos))), Span(start, _tokEnd)));
        }

        SkipBlanks();
        if (Cur == '(')
        {
            TryParseFunctionParens();
        }

        SkipLinebreaks();
        var body = ParseFunctionBody();
        return Track(new FunctionDefinition(StaticOrDisplay(nameWord), body, Span(start, _tokEnd)));
    }

    /// <summary>Consumes <c>( )</c> after a function name; returns false (consuming nothing) when it is not that.</summary>
    private bool TryParseFunctionParens()
    {
        SkipBlanks();
        if (Cur != '(')
        {
            return false;
        }

        var p = _pos + 1;
        while (IsBlank(At(p)) || (At(p) == '\\' && At(p + 1) == '\n'))
        {
            p += At(p) == '\\' ? 2 : 1;
        }

        if (At(p) != ')')
        {
            return false;
        }

        Advance(p + 1);
        return true;
    }

    private Command ParseFunctionBody()
    {
        var bodyStart = _pos;

        // "f() g() h() …" recurses without any compound command, so the body itself counts as a level.
        if (!Enter(bodyStart))
        {
            return Track(new BraceGroup(EmptyList(), [], Span(bodyStart, bodyStart)));
        }

        var body = ParseCommand();
        Exit();
        if (body is null)
        {
            UnexpectedInsteadOf("function body", bodyStart);
            return Track(new BraceGroup(EmptyList(), [], Span(_pos, _pos)));
        }

        if (body is SimpleCommand or FunctionDefinition or CoprocCommand)
        {
            SyntaxError("a function body must be a compound command", bodyStart, _tokEnd);
        }

        return body;
    }

    private CoprocCommand ParseCoproc(int start, int keywordEnd)
    {
        Advance(keywordEnd);
        SkipBlanks();
        if (!Enter(start))
        {
            return Track(new CoprocCommand(null, Track(new BraceGroup(EmptyList(), [], Span(_pos, _pos))), Span(start, _tokEnd)));
        }

        string? name = null;
        Command? body;
        var tok = PeekOp(out _);
        if (tok == Tok.LParen || (tok == Tok.Word && IsCompoundStart(PeekReserved(out _))))
        {
            body = ParseCommand();
        }
        else if (tok == Tok.Word)
        {
            // "coproc NAME compound" names the coprocess; otherwise the word starts a simple command.
            var wordStart = _pos;
            var first = ParseWord(WordMode.Normal);
            SkipBlanks();
            var next = PeekOp(out _);
            if (first is not null
                && (next == Tok.LParen || (next == Tok.Word && IsCompoundStart(PeekReserved(out _))))
                && first.TryGetStaticText(out var text) && IsName(text))
            {
                name = text;
                body = ParseCommand();
            }
            else
            {
                body = ParseSimpleCommand(first, wordStart);
            }
        }
        else
        {
            body = ParseCommand();
        }

        Exit();
        if (body is null)
        {
            UnexpectedInsteadOf("command", start);
            body = Track(new BraceGroup(EmptyList(), [], Span(_pos, _pos)));
        }

        return Track(new CoprocCommand(name, body, Span(start, _tokEnd)));
    }

    private static bool IsCompoundStart(string? word) =>
        word is "{" or "if" or "while" or "until" or "for" or "select" or "case" or "[[";

    private static bool IsName(string text)
    {
        if (text.Length == 0 || !IsIdentStart(text[0]))
        {
            return false;
        }

        foreach (var c in text)
        {
            if (!IsIdentChar(c))
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsDeclarationBuiltin(Word word) =>
        word.TryGetStaticText(out var text) && text is "declare" or "typeset" or "local" or "export" or "readonly";

    private static string StaticOrDisplay(Word word) => word.TryGetStaticText(out var text) ? text : word.ToDisplayText();

    /// <summary>
    /// Assignments, words and redirections. <paramref name="first"/> is a command word already read (by
    /// <c>coproc</c>). A first word followed by <c>()</c> makes this a function definition instead.
    /// </summary>
    private Command? ParseSimpleCommand(Word? first, int start)
    {
        // The words are gathered in the thread's scratch list (a nested command gets its own) and kept as an exact array.
        var words = t_words ?? new List<Word>(8);
        t_words = null;
        try
        {
            return ParseSimpleCommand(first, start, words);
        }
        finally
        {
            words.Clear();
            if (words.Capacity <= 1024)
            {
                t_words = words;
            }
        }
    }

    [ThreadStatic]
    private static List<Word>? t_words;

    private Command? ParseSimpleCommand(Word? first, int start, List<Word> words)
    {
        // Most commands have no assignments and no redirections: those lists are only made when needed.
        List<Assignment>? assignments = null;
        List<Redirection>? redirections = null;
        var declaration = false;
        if (first is not null)
        {
            words.Add(first);
            declaration = IsDeclarationBuiltin(first);
        }

        while (true)
        {
            SkipBlanksAndComment();
            var redirection = TryParseRedirection();
            if (redirection is not null)
            {
                (redirections ??= []).Add(redirection);
                continue;
            }

            if (PeekOp(out _) != Tok.Word)
            {
                break;
            }

            if (words.Count == 0)
            {
                var (assignment, word) = ParseAssignmentOrWord();
                if (assignment is not null)
                {
                    (assignments ??= []).Add(assignment);
                    continue;
                }

                if (word is null)
                {
                    break;
                }

                words.Add(word);
                declaration = IsDeclarationBuiltin(word);
                if (assignments is null && redirections is null && TryParseFunctionParens())
                {
                    SkipLinebreaks();
                    var body = ParseFunctionBody();
                    return Track(new FunctionDefinition(StaticOrDisplay(word), body, Span(start, _tokEnd)));
                }

                continue;
            }

            var argument = ParseWord(declaration ? WordMode.Normal | WordMode.DeclarationArray : WordMode.Normal);
            if (argument is null)
            {
                break;
            }

            words.Add(argument);
        }

        if (assignments is null && words.Count == 0 && redirections is null)
        {
            return null;
        }

        return Track(new SimpleCommand(
            assignments ?? (IReadOnlyList<Assignment>)[], words.ToArray(), redirections ?? (IReadOnlyList<Redirection>)[], Span(start, _tokEnd)));
    }

    /// <summary>Parses a redirection at the current position, or returns null without consuming anything.</summary>
    private Redirection? TryParseRedirection()
    {
        var start = _pos;
        var p = _pos;
        int? fd = null;
        string? fdVariable = null;
        var c = At(p);
        if (IsDigit(c))
        {
            // A number is a descriptor only when the operator follows immediately ("2>"), not after a blank.
            var q = p;
            while (IsDigit(At(q)))
            {
                q++;
            }

            var r = SkipCont(q);
            if (At(r) is not ('<' or '>') || At(SkipCont(r + 1)) == '('
                || !int.TryParse(_src.AsSpan(p, q - p), NumberStyles.None, CultureInfo.InvariantCulture, out var number))
            {
                return null;
            }

            fd = number;
            p = r;
        }
        else if (c == '{')
        {
            var q = p + 1;
            if (!IsIdentStart(At(q)))
            {
                return null;
            }

            while (IsIdentChar(At(q)))
            {
                q++;
            }

            if (At(q) != '}')
            {
                return null;
            }

            var r = SkipCont(q + 1);
            if (At(r) is not ('<' or '>') || At(SkipCont(r + 1)) == '(')
            {
                return null;
            }

            fdVariable = _src[(p + 1)..q];
            p = r;
        }

        c = At(p);
        var p1 = SkipCont(p + 1);
        var d = At(p1);
        RedirectionOperator op;
        int opEnd;
        switch (c)
        {
            case '<':
                if (d == '<')
                {
                    var p2 = SkipCont(p1 + 1);
                    (op, opEnd) = At(p2) switch
                    {
                        '<' => (RedirectionOperator.HereString, p2 + 1),
                        '-' => (RedirectionOperator.HereDocStrip, p2 + 1),
                        _ => (RedirectionOperator.HereDoc, p1 + 1),
                    };
                }
                else if (d == '(')
                {
                    return null;
                }
                else
                {
                    (op, opEnd) = d switch
                    {
                        '>' => (RedirectionOperator.ReadWrite, p1 + 1),
                        '&' => (RedirectionOperator.DupInput, p1 + 1),
                        _ => (RedirectionOperator.Input, p + 1),
                    };
                }

                break;
            case '>':
                if (d == '(')
                {
                    return null;
                }

                (op, opEnd) = d switch
                {
                    '>' => (RedirectionOperator.Append, p1 + 1),
                    '|' => (RedirectionOperator.Clobber, p1 + 1),
                    '&' => (RedirectionOperator.DupOutput, p1 + 1),
                    _ => (RedirectionOperator.Output, p + 1),
                };
                break;
            case '&' when fd is null && fdVariable is null && d == '>':
                var p3 = SkipCont(p1 + 1);
                (op, opEnd) = At(p3) == '>'
                    ? (RedirectionOperator.AppendOutputAndError, p3 + 1)
                    : (RedirectionOperator.OutputAndError, p1 + 1);
                break;
            default:
                return null;
        }

        Advance(opEnd);
        SkipBlanks();
        if (op is RedirectionOperator.HereDoc or RedirectionOperator.HereDocStrip)
        {
            var delimiterWord = ParseWord(WordMode.None);
            if (delimiterWord is null)
            {
                SyntaxError("expected a here-document delimiter after " + Describe(start, opEnd), start, opEnd);
                return Track(new Redirection(fd, fdVariable, op, null, null, Span(start, _tokEnd)));
            }

            var hereRedirection = Track(new Redirection(fd, fdVariable, op, delimiterWord, null, Span(start, _tokEnd)));
            var (delimiter, quoted) = HereDocDelimiter(delimiterWord);
            _pending.Add(new PendingHereDoc(hereRedirection, delimiter, quoted, op == RedirectionOperator.HereDocStrip, start, _tokEnd));
            return hereRedirection;
        }

        var target = ParseWord(op == RedirectionOperator.HereString ? WordMode.Tilde : WordMode.Normal);
        if (target is null)
        {
            SyntaxError("expected a word after " + Describe(start, opEnd), start, opEnd);
        }

        return Track(new Redirection(fd, fdVariable, op, target, null, Span(start, _tokEnd)));
    }
}
