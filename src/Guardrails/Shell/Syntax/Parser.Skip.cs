namespace Guardrails.Shell.Syntax;

/// <summary>Skipping of over-deep constructs, without recursion.</summary>
internal sealed partial class Parser
{
    private enum Closer : byte
    {
        Paren,
        BraceWord,
        Fi,
        Done,
        Esac,
        Parameter,
        Double,
        Single,
        Backquote,
        Bracket,
    }

    /// <summary>
    /// Skips to just after the closer matching <paramref name="first"/> (or to the end of input) when a construct is
    /// too deep to parse. An explicit stack follows quotes, substitutions, parentheses and the compound-command
    /// keywords well enough to find the closer in one linear pass; what it skips is reported as a depth-limit
    /// diagnostic by the caller, so approximations here never make a result look complete.
    /// </summary>
    private void SkipNested(Closer first)
    {
        var stack = new Stack<Closer>();
        stack.Push(first);
        var commandStart = true;
        var boundary = true;
        while (stack.Count > 0)
        {
            var c = At(_pos);
            if (c == Eof)
            {
                return;
            }

            var top = stack.Peek();
            if (top == Closer.Single)
            {
                if (c == '\'')
                {
                    stack.Pop();
                }

                _pos++;
                continue;
            }

            if (c == '\\')
            {
                _pos += At(_pos + 1) == Eof ? 1 : 2;
                commandStart = boundary = false;
                continue;
            }

            if (top == Closer.Backquote)
            {
                if (c == '`')
                {
                    stack.Pop();
                }

                _pos++;
                continue;
            }

            var next = At(_pos + 1);
            if (c == '$' && next is '(' or '{' or '[')
            {
                stack.Push(next == '(' ? Closer.Paren : next == '{' ? Closer.Parameter : Closer.Bracket);
                _pos += 2;
                commandStart = boundary = next == '(';
                continue;
            }

            if (c == '`')
            {
                stack.Push(Closer.Backquote);
                _pos++;
                continue;
            }

            if (top == Closer.Double)
            {
                if (c == '"')
                {
                    stack.Pop();
                }

                _pos++;
                continue;
            }

            if (c is '"' or '\'')
            {
                stack.Push(c == '"' ? Closer.Double : Closer.Single);
                _pos++;
                commandStart = boundary = false;
                continue;
            }

            if (top is Closer.Parameter or Closer.Bracket)
            {
                if ((top == Closer.Parameter && c == '}') || (top == Closer.Bracket && c == ']'))
                {
                    stack.Pop();
                }
                else if (top == Closer.Bracket && c == '[')
                {
                    stack.Push(Closer.Bracket);
                }

                _pos++;
                continue;
            }

            switch (c)
            {
                case '(':
                    stack.Push(Closer.Paren);
                    _pos++;
                    commandStart = boundary = true;
                    continue;
                case ')':
                    if (top == Closer.Paren)
                    {
                        stack.Pop();
                    }

                    _pos++;
                    commandStart = boundary = true;
                    continue;
                case ' ' or '\t':
                    _pos++;
                    boundary = true;
                    continue;
                case '\n' or ';' or '&' or '|':
                    _pos++;
                    commandStart = boundary = true;
                    continue;
                case '#' when boundary:
                    while (At(_pos) is not Eof and not '\n')
                    {
                        _pos++;
                    }

                    continue;
            }

            if (commandStart && (c is >= 'a' and <= 'z' or '{' or '}'))
            {
                var wordStart = _pos;
                var p = _pos;
                while (At(p) is >= 'a' and <= 'z' or '{' or '}')
                {
                    p++;
                }

                if (IsMeta(At(p)))
                {
                    var keyword = _src.AsSpan(wordStart, p - wordStart);
                    var opens = keyword switch
                    {
                        "if" => Closer.Fi,
                        "case" => Closer.Esac,
                        "while" or "until" or "for" or "select" => Closer.Done,
                        "{" => Closer.BraceWord,
                        _ => (Closer?)null,
                    };
                    var closes = keyword switch
                    {
                        "fi" => Closer.Fi,
                        "done" => Closer.Done,
                        "esac" => Closer.Esac,
                        "}" => Closer.BraceWord,
                        _ => (Closer?)null,
                    };
                    if (opens is { } opened)
                    {
                        stack.Push(opened);
                    }
                    else if (closes is { } closed && top == closed)
                    {
                        stack.Pop();
                    }

                    _pos = p;
                    commandStart = opens is not null || keyword is "then" or "else" or "elif" or "do" or "time";
                    boundary = false;
                    continue;
                }

                _pos = p;
                commandStart = boundary = false;
                continue;
            }

            _pos++;
            commandStart = boundary = false;
        }
    }
}
