using System.Text;

namespace Guardrails.Evaluation;

/// <summary>
/// Finds text that every match of a policy regex must contain, so that the rule index can skip a regex rule without
/// running it when its argument text lacks that text. The analysis is deliberately conservative: anything it does not
/// fully understand (inline options, named or special groups, top-level alternation) yields no literal, and the rule is
/// then simply not indexed by its regex.
/// </summary>
internal static class RegexLiterals
{
    /// <summary>
    /// Returns the longest run of literal characters that appears, outside any group and not made optional by a
    /// quantifier, in <paramref name="pattern"/> (for <c>--profile[= ]prod\b</c>: <c>--profile</c>); empty when there is
    /// none the analysis can vouch for.
    /// </summary>
    public static string RequiredLiteral(string pattern) =>
        RequiredLiterals(pattern, 1).OrderByDescending(l => l.Length).FirstOrDefault() ?? string.Empty;

    /// <summary>
    /// Returns every run of at least <paramref name="minLength"/> literal characters that appears, outside any group
    /// and not made optional by a quantifier, in <paramref name="pattern"/> (for <c>--profile[= ]prod\b</c>:
    /// <c>--profile</c> and <c>prod</c>): each of them is in every match. Empty when there is none the analysis can
    /// vouch for.
    /// </summary>
    public static List<string> RequiredLiterals(string pattern, int minLength)
    {
        var runs = new List<string>();
        if (pattern.Contains("(?", StringComparison.Ordinal) && !OnlyPlainGroups(pattern))
        {
            return runs; // inline options such as (?i) change what a literal matches
        }

        var run = new StringBuilder();
        void EndRun()
        {
            if (run.Length >= minLength)
            {
                runs.Add(run.ToString());
            }

            run.Clear();
        }

        for (var i = 0; i < pattern.Length; i++)
        {
            var c = pattern[i];
            switch (c)
            {
                case '|':
                    return []; // a top-level alternative need not contain anything the other one does
                case '\\':
                    if (i + 1 >= pattern.Length)
                    {
                        return [];
                    }

                    var escaped = pattern[++i];
                    if (!char.IsAsciiLetterOrDigit(escaped) && escaped <= 127)
                    {
                        Literal(escaped); // \. \- \/ \$ …: the character itself
                        break;
                    }

                    // \d \w \s \b \n \x41 \u0041 \cM \p{L} \1 …: a class, an anchor or a code, not these characters.
                    EndRun();
                    i = escaped switch
                    {
                        'x' => i + 2,
                        'u' => i + 4,
                        'c' => i + 1,
                        'p' or 'P' => pattern.IndexOf('}', i),
                        'k' => -1,
                        >= '0' and <= '9' => EndOfDigits(pattern, i),
                        _ => i,
                    };
                    if (i < 0 || i >= pattern.Length)
                    {
                        return [];
                    }

                    break;
                case '[':
                    EndRun();
                    i = SkipClass(pattern, i);
                    if (i < 0)
                    {
                        return [];
                    }

                    break;
                case '(':
                    EndRun();
                    i = SkipGroup(pattern, i);
                    if (i < 0)
                    {
                        return [];
                    }

                    break;
                case ')':
                    return []; // unbalanced: let the regex engine have its say
                case '*' or '+' or '?':
                    Quantified();
                    break;
                case '{':
                    if (QuantifierEnd(pattern, i) is var close and > 0)
                    {
                        Quantified();
                        i = close;
                    }
                    else
                    {
                        EndRun(); // a literal '{' (not worth the risk of misreading it)
                    }

                    break;
                case '.' or '^' or '$':
                    EndRun();
                    break;
                default:
                    Literal(c);
                    break;
            }
        }

        EndRun();
        return runs;

        void Literal(char c)
        {
            // The next character may quantify this one, so it only counts once the next one is seen: Quantified drops it.
            run.Append(c);
        }

        void Quantified()
        {
            // The quantified atom is the last character of the run (a group or class already ended the run): it may be
            // absent or repeated, so the run ends before it.
            if (run.Length > 0)
            {
                run.Length--;
            }

            EndRun();
        }
    }

    private static int EndOfDigits(string pattern, int i)
    {
        while (i + 1 < pattern.Length && char.IsAsciiDigit(pattern[i + 1]))
        {
            i++;
        }

        return i;
    }

    /// <summary>Whether every <c>(?</c> in the pattern opens a plain non-capturing group <c>(?:</c>.</summary>
    private static bool OnlyPlainGroups(string pattern)
    {
        for (var i = pattern.IndexOf("(?", StringComparison.Ordinal); i >= 0; i = pattern.IndexOf("(?", i + 2, StringComparison.Ordinal))
        {
            if (i + 2 >= pattern.Length || pattern[i + 2] != ':' || (i > 0 && pattern[i - 1] == '\\'))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Returns the index of the <c>]</c> that closes the class opening at <paramref name="open"/>, or -1.</summary>
    private static int SkipClass(string pattern, int open)
    {
        var i = open + 1;
        if (i < pattern.Length && pattern[i] == '^')
        {
            i++;
        }

        if (i < pattern.Length && pattern[i] == ']')
        {
            i++; // a ']' first is a member
        }

        for (; i < pattern.Length; i++)
        {
            if (pattern[i] == '\\')
            {
                i++;
            }
            else if (pattern[i] == '[')
            {
                return -1; // subtraction or nesting: not analysed
            }
            else if (pattern[i] == ']')
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>Returns the index of the <c>)</c> that closes the group opening at <paramref name="open"/>, or -1.</summary>
    private static int SkipGroup(string pattern, int open)
    {
        var depth = 0;
        for (var i = open; i < pattern.Length; i++)
        {
            switch (pattern[i])
            {
                case '\\':
                    i++;
                    break;
                case '[':
                    i = SkipClass(pattern, i);
                    if (i < 0)
                    {
                        return -1;
                    }

                    break;
                case '(':
                    depth++;
                    break;
                case ')':
                    if (--depth == 0)
                    {
                        return i;
                    }

                    break;
            }
        }

        return -1;
    }

    /// <summary>Returns the index of the <c>}</c> of a quantifier <c>{n}</c>, <c>{n,}</c> or <c>{n,m}</c> at <paramref name="open"/>, or -1.</summary>
    private static int QuantifierEnd(string pattern, int open)
    {
        var i = open + 1;
        var digits = 0;
        while (i < pattern.Length && char.IsAsciiDigit(pattern[i]))
        {
            i++;
            digits++;
        }

        if (digits == 0)
        {
            return -1;
        }

        if (i < pattern.Length && pattern[i] == ',')
        {
            i++;
            while (i < pattern.Length && char.IsAsciiDigit(pattern[i]))
            {
                i++;
            }
        }

        return i < pattern.Length && pattern[i] == '}' ? i : -1;
    }
}
