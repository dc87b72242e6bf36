using System.Text;

namespace Guardrails.Python;

internal enum PyTokenKind
{
    Name,
    String,
    Number,
    Operator,
    Newline,
}

/// <summary>A Python token: names are dotted (<c>os.path.join</c>), strings are decoded.</summary>
internal sealed record PyToken(PyTokenKind Kind, string Text, int Start, int End)
{
    /// <summary>Gets a value indicating whether the string is an f-string (its value is computed at run time).</summary>
    public bool Formatted { get; init; }

    /// <summary>Gets where the string's content starts (after prefix and quote).</summary>
    public int ContentStart { get; init; }

    /// <summary>Gets the length of the string's content in the source.</summary>
    public int ContentLength { get; init; }

    public bool Is(string op) => Kind == PyTokenKind.Operator && Text == op;
}

/// <summary>
/// Splits Python source into the tokens the analyzer needs: dotted names, decoded string literals (all quote and prefix
/// forms), operators and logical newlines. Linear in the input; never throws.
/// </summary>
internal static class PythonTokenizer
{
    private const int MaxTokens = 200_000;

    public static List<PyToken> Tokenize(string code, out bool complete)
    {
        var tokens = new List<PyToken>();
        complete = true;
        var depth = 0;
        var i = 0;
        while (i < code.Length)
        {
            if (tokens.Count >= MaxTokens)
            {
                complete = false;
                break;
            }

            var c = code[i];
            if (c == '#')
            {
                while (i < code.Length && code[i] != '\n')
                {
                    i++;
                }

                continue;
            }

            if (c == '\\' && i + 1 < code.Length && code[i + 1] == '\n')
            {
                i += 2;
                continue;
            }

            if (c is '\n' or ';')
            {
                if (c == ';' || depth == 0)
                {
                    tokens.Add(new PyToken(c == ';' ? PyTokenKind.Operator : PyTokenKind.Newline, c.ToString(), i, i + 1));
                }

                i++;
                continue;
            }

            if (char.IsWhiteSpace(c))
            {
                i++;
                continue;
            }

            if (IsStringStart(code, i, out var prefixLength))
            {
                var token = ReadString(code, i, prefixLength, out var next, out var ok);
                complete &= ok;
                tokens.Add(token);
                i = next;
                continue;
            }

            if (char.IsLetter(c) || c == '_')
            {
                var start = i;
                while (i < code.Length && (char.IsLetterOrDigit(code[i]) || code[i] == '_' || (code[i] == '.' && i + 1 < code.Length && (char.IsLetter(code[i + 1]) || code[i + 1] == '_'))))
                {
                    i++;
                }

                tokens.Add(new PyToken(PyTokenKind.Name, code[start..i], start, i));
                continue;
            }

            if (char.IsDigit(c))
            {
                var start = i;
                while (i < code.Length && (char.IsLetterOrDigit(code[i]) || code[i] == '.' || code[i] == '_'))
                {
                    i++;
                }

                tokens.Add(new PyToken(PyTokenKind.Number, code[start..i], start, i));
                continue;
            }

            if (c is '(' or '[' or '{')
            {
                depth++;
            }
            else if (c is ')' or ']' or '}')
            {
                depth = Math.Max(0, depth - 1);
            }

            // A leading dot on a name (after a call: foo().bar) is an operator here; names stay dotted otherwise.
            tokens.Add(new PyToken(PyTokenKind.Operator, c.ToString(), i, i + 1));
            i++;
        }

        return tokens;
    }

    private static bool IsStringStart(string code, int i, out int prefixLength)
    {
        prefixLength = 0;
        var j = i;
        while (j < code.Length && j - i < 3 && code[j] is 'r' or 'R' or 'b' or 'B' or 'u' or 'U' or 'f' or 'F')
        {
            j++;
        }

        if (j < code.Length && code[j] is '\'' or '"')
        {
            // A prefix only counts when it is not the tail of a longer name (e.g. "buf'").
            if (j > i && i > 0 && (char.IsLetterOrDigit(code[i - 1]) || code[i - 1] == '_'))
            {
                return false;
            }

            prefixLength = j - i;
            return true;
        }

        return false;
    }

    private static PyToken ReadString(string code, int start, int prefixLength, out int next, out bool ok)
    {
        var prefix = code.AsSpan(start, prefixLength);
        var raw = prefix.ContainsAny('r', 'R');
        var formatted = prefix.ContainsAny('f', 'F');
        var quote = code[start + prefixLength];
        var i = start + prefixLength;
        var triple = i + 2 < code.Length && code[i + 1] == quote && code[i + 2] == quote;
        i += triple ? 3 : 1;
        var contentStart = i;
        var builder = new StringBuilder();
        ok = false;
        while (i < code.Length)
        {
            var c = code[i];
            if (c == quote && (!triple || (i + 2 < code.Length && code[i + 1] == quote && code[i + 2] == quote)))
            {
                var contentLength = i - contentStart;
                i += triple ? 3 : 1;
                ok = true;
                next = i;
                return new PyToken(PyTokenKind.String, builder.ToString(), start, i) { Formatted = formatted, ContentStart = contentStart, ContentLength = contentLength };
            }

            if (c == '\n' && !triple)
            {
                break;
            }

            if (c == '\\' && i + 1 < code.Length)
            {
                if (raw)
                {
                    builder.Append(c).Append(code[i + 1]);
                    i += 2;
                    continue;
                }

                i = AppendEscape(code, i + 1, builder);
                continue;
            }

            builder.Append(c);
            i++;
        }

        next = i;
        return new PyToken(PyTokenKind.String, builder.ToString(), start, i) { Formatted = formatted, ContentStart = contentStart, ContentLength = i - contentStart };
    }

    private static int AppendEscape(string code, int i, StringBuilder builder)
    {
        var e = code[i];
        switch (e)
        {
            case 'n': builder.Append('\n'); return i + 1;
            case 't': builder.Append('\t'); return i + 1;
            case 'r': builder.Append('\r'); return i + 1;
            case '0' when i + 1 >= code.Length || !char.IsDigit(code[i + 1]): builder.Append('\0'); return i + 1;
            case '\n': return i + 1;
            case 'x' when i + 2 < code.Length && char.IsAsciiHexDigit(code[i + 1]) && char.IsAsciiHexDigit(code[i + 2]):
                builder.Append((char)Convert.ToInt32(code.Substring(i + 1, 2), 16));
                return i + 3;
            case 'u' when i + 4 < code.Length && IsHex(code, i + 1, 4):
                builder.Append((char)Convert.ToInt32(code.Substring(i + 1, 4), 16));
                return i + 5;
            case 'U' when i + 8 < code.Length && IsHex(code, i + 1, 8):
                var scalar = Convert.ToInt32(code.Substring(i + 1, 8), 16);
                builder.Append(scalar <= 0x10FFFF ? char.ConvertFromUtf32(scalar) : "?");
                return i + 9;
            case >= '0' and <= '7':
                var value = 0;
                var j = i;
                while (j < code.Length && j - i < 3 && code[j] is >= '0' and <= '7')
                {
                    value = (value * 8) + (code[j] - '0');
                    j++;
                }

                builder.Append((char)value);
                return j;
            default:
                builder.Append(e);
                return i + 1;
        }
    }

    private static bool IsHex(string code, int start, int count)
    {
        for (var k = 0; k < count; k++)
        {
            if (!char.IsAsciiHexDigit(code[start + k]))
            {
                return false;
            }
        }

        return true;
    }
}
