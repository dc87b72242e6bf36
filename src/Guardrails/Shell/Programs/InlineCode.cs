namespace Guardrails.Shell.Programs;

/// <summary>
/// Conservative recognisers for inline code of other languages: a one-liner that is exactly a call such as
/// <c>system("…")</c> with a literal string yields that shell command; anything else is left opaque.
/// </summary>
internal static class InlineCode
{
    private static readonly string[] s_perlCallees = ["system", "exec"];

    private static readonly string[] s_rubyCallees = ["system", "exec", "Kernel.system", "Kernel.exec", "spawn", "Process.spawn"];

    private static readonly string[] s_phpCallees = ["system", "exec", "shell_exec", "passthru", "proc_open", "popen"];

    private static readonly string[] s_nodeCallees =
    [
        "require(\"child_process\").execSync", "require('child_process').execSync", "require(\"child_process\").exec", "require('child_process').exec",
        "require(\"child_process\").spawnSync", "require('child_process').spawnSync", "child_process.execSync", "child_process.exec",
    ];

    private static readonly string[] s_luaCallees = ["os.execute", "io.popen"];

    private static readonly string[] s_shells = ["sh", "bash", "dash", "zsh", "ksh", "ash", "mksh", "fish", "python", "python3", "perl", "ruby", "node", "php", "lua"];

    /// <summary>Gets the shell command of a one-liner that is exactly a process-spawning call with one literal string argument, or <see langword="null"/>.</summary>
    /// <param name="language">perl, ruby, php, javascript or lua.</param>
    /// <param name="code">The inline code.</param>
    public static string? LiteralShellCommand(string language, string code)
    {
        var text = code.AsSpan().Trim();
        while (text.EndsWith(";"))
        {
            text = text[..^1].TrimEnd();
        }

        if (text.Length >= 2 && text[0] == '`' && text[^1] == '`' && language is "perl" or "ruby" or "php")
        {
            var inner = text[1..^1];
            return inner.IndexOfAny('`', '\\', '$') < 0 && (language != "ruby" || !inner.Contains("#{", StringComparison.Ordinal)) && (language != "perl" || !inner.Contains('@'))
                ? inner.ToString()
                : null;
        }

        var callees = language switch
        {
            "perl" => s_perlCallees,
            "ruby" => s_rubyCallees,
            "php" => s_phpCallees,
            "javascript" => s_nodeCallees,
            "lua" => s_luaCallees,
            _ => [],
        };

        foreach (var callee in callees)
        {
            if (!text.StartsWith(callee, StringComparison.Ordinal))
            {
                continue;
            }

            var rest = text[callee.Length..];
            if (rest.TrimStart().StartsWith('('))
            {
                rest = rest.Trim();
                if (rest[^1] != ')')
                {
                    return null;
                }

                rest = rest[1..^1].Trim();
            }
            else if (language is "perl" or "ruby" or "lua" && rest.Length > 0 && (char.IsWhiteSpace(rest[0]) || rest[0] is '"' or '\''))
            {
                rest = rest.Trim();
            }
            else
            {
                return null;
            }

            return StringLiteral(rest, language);
        }

        return null;
    }

    /// <summary>Gets the content of a whole-string literal with no escapes or interpolation, or <see langword="null"/>.</summary>
    private static string? StringLiteral(ReadOnlySpan<char> text, string language)
    {
        if (text.Length < 2 || (text[0] != '"' && text[0] != '\'') || text[^1] != text[0])
        {
            return null;
        }

        var quote = text[0];
        var inner = text[1..^1];
        if (inner.Contains(quote) || inner.Contains('\\'))
        {
            return null;
        }

        if (quote == '"')
        {
            if ((language is "perl" or "php") && inner.IndexOfAny('$', '@') >= 0)
            {
                return null;
            }

            if (language == "ruby" && inner.Contains("#{", StringComparison.Ordinal))
            {
                return null;
            }
        }

        return inner.ToString();
    }

    /// <summary>
    /// Scans an awk program for commands it runs: <c>system("…")</c>, <c>"…" | getline</c> and <c>print … | "…"</c>.
    /// Literal commands are added to <paramref name="commands"/>; the result tells whether some command is built at run
    /// time (or data is piped into an interpreter), which makes the program opaque.
    /// </summary>
    public static bool ScanAwk(string program, List<string> commands)
    {
        var opaque = false;
        var lastKind = AwkToken.None;
        var lastStringStart = -1;
        var lastStringEnd = -1;
        var i = 0;
        while (i < program.Length)
        {
            var c = program[i];
            if (c == '"')
            {
                var end = SkipString(program, i, out _);
                lastKind = AwkToken.String;
                lastStringStart = i;
                lastStringEnd = end;
                i = end + 1;
                continue;
            }

            if (c == '/' && RegexAllowed(program, i, lastKind))
            {
                i = SkipRegex(program, i) + 1;
                lastKind = AwkToken.Operand;
                continue;
            }

            if (c == '#')
            {
                var newline = program.IndexOf('\n', i);
                i = newline < 0 ? program.Length : newline;
                continue;
            }

            if (char.IsAsciiLetter(c) || c == '_')
            {
                var start = i;
                while (i < program.Length && (char.IsAsciiLetterOrDigit(program[i]) || program[i] == '_'))
                {
                    i++;
                }

                var word = program.AsSpan(start, i - start);
                if (word.SequenceEqual("system"))
                {
                    var j = SkipSpaces(program, i);
                    if (j < program.Length && program[j] == '(')
                    {
                        j = SkipSpaces(program, j + 1);
                        if (j < program.Length && program[j] == '"')
                        {
                            var end = SkipString(program, j, out var escaped);
                            var after = SkipSpaces(program, end + 1);
                            if (!escaped && after < program.Length && program[after] == ')')
                            {
                                commands.Add(program[(j + 1)..end]);
                                i = after + 1;
                                lastKind = AwkToken.Operand;
                                continue;
                            }
                        }

                        opaque = true;
                    }
                }

                lastKind = word.SequenceEqual("print") || word.SequenceEqual("printf") || word.SequenceEqual("getline") ? AwkToken.Keyword : AwkToken.Operand;
                continue;
            }

            if (c == '|')
            {
                if (i + 1 < program.Length && program[i + 1] == '|')
                {
                    i += 2;
                    lastKind = AwkToken.Operator;
                    continue;
                }

                var j = i + 1;
                if (j < program.Length && program[j] == '&')
                {
                    j++;
                }

                j = SkipSpaces(program, j);
                if (program.AsSpan(j).StartsWith("getline", StringComparison.Ordinal))
                {
                    if (lastKind == AwkToken.String && StringStartsExpression(program, lastStringStart) && !HasEscape(program, lastStringStart, lastStringEnd))
                    {
                        commands.Add(program[(lastStringStart + 1)..lastStringEnd]);
                    }
                    else
                    {
                        opaque = true;
                    }

                    i = j + 7;
                    lastKind = AwkToken.Keyword;
                    continue;
                }

                if (j < program.Length && program[j] == '"')
                {
                    var end = SkipString(program, j, out var escaped);
                    var after = SkipSpaces(program, end + 1);
                    if (!escaped && (after >= program.Length || program[after] is ';' or '}' or '\n' or ')'))
                    {
                        var command = program[(j + 1)..end];
                        if (IsInterpreter(command))
                        {
                            opaque = true;
                        }
                        else
                        {
                            commands.Add(command);
                        }

                        i = end + 1;
                        lastKind = AwkToken.Operand;
                        continue;
                    }
                }

                opaque = true;
                i = j;
                lastKind = AwkToken.Operator;
                continue;
            }

            if (!char.IsWhiteSpace(c) || c == '\n')
            {
                lastKind = c is ')' or ']' || char.IsAsciiDigit(c) || c == '$' ? AwkToken.Operand : AwkToken.Operator;
            }

            i++;
        }

        return opaque;
    }

    private static bool IsInterpreter(string command)
    {
        var text = command.AsSpan().Trim();
        var space = text.IndexOfAny(' ', '\t');
        var word = space < 0 ? text : text[..space];
        var slash = word.LastIndexOf('/');
        if (slash >= 0)
        {
            word = word[(slash + 1)..];
        }

        foreach (var shell in s_shells)
        {
            if (word.SequenceEqual(shell))
            {
                return true;
            }
        }

        return false;
    }

    private static bool StringStartsExpression(string program, int stringStart)
    {
        var j = stringStart - 1;
        while (j >= 0 && program[j] is ' ' or '\t')
        {
            j--;
        }

        return j < 0 || program[j] is '{' or ';' or '(' or '\n' or ',' or '}' or '!' or '&';
    }

    private static bool HasEscape(string program, int start, int end) => program.AsSpan(start, end - start).Contains('\\');

    private static int SkipSpaces(string text, int i)
    {
        while (i < text.Length && text[i] is ' ' or '\t')
        {
            i++;
        }

        return i;
    }

    /// <summary>Returns the index of the closing quote of the string starting at <paramref name="start"/> (or the last index).</summary>
    private static int SkipString(string text, int start, out bool escaped)
    {
        escaped = false;
        for (var i = start + 1; i < text.Length; i++)
        {
            if (text[i] == '\\')
            {
                escaped = true;
                i++;
                continue;
            }

            if (text[i] == '"')
            {
                return i;
            }
        }

        return text.Length - 1;
    }

    private static int SkipRegex(string text, int start)
    {
        for (var i = start + 1; i < text.Length; i++)
        {
            if (text[i] == '\\')
            {
                i++;
                continue;
            }

            if (text[i] is '/' or '\n')
            {
                return i;
            }
        }

        return text.Length - 1;
    }

    private static bool RegexAllowed(string program, int index, AwkToken lastKind) =>
        lastKind is AwkToken.None or AwkToken.Operator or AwkToken.Keyword || index == 0;

    private enum AwkToken
    {
        None,
        Operand,
        Operator,
        String,
        Keyword,
    }
}
