using Guardrails.Actions;

namespace Guardrails.Shell.Programs;

/// <summary>What a Perl one-liner does, as far as <see cref="PerlCode.Scan"/> can tell.</summary>
internal sealed class PerlScan
{
    /// <summary>Gets shell commands the code runs with literal text (<c>system "…"</c>, backticks, <c>open(F, "cmd |")</c>).</summary>
    public List<string> Commands { get; } = [];

    /// <summary>Gets file operations on literal paths (<c>open(F, "&gt;out")</c>, <c>unlink "x"</c>, <c>rename "a", "b"</c>).</summary>
    public List<(FileAction Action, string Path, string? Source)> Files { get; } = [];

    /// <summary>Gets why the code cannot be analysed, or <see langword="null"/> when it could.</summary>
    public string? Opaque { get; set; }

    /// <summary>Gets a value indicating whether the code edits its input files in place (<c>$^I</c>).</summary>
    public bool InPlace { get; set; }
}

/// <summary>Perl's command-line switches, read the way perl bundles them (<c>-lne</c>, <c>-pi.bak</c>, <c>-F:</c>, <c>-0777</c>).</summary>
internal sealed class PerlSwitches
{
    /// <summary>Gets the <c>-e</c>/<c>-E</c> code lines with the index of the argument each came from.</summary>
    public List<(int Index, string Code)> Code { get; } = [];

    /// <summary>Gets the modules loaded with <c>-M</c>/<c>-m</c>.</summary>
    public List<string> Modules { get; } = [];

    /// <summary>Gets a value indicating whether <c>-i</c> (in-place editing) was given.</summary>
    public bool InPlace { get; set; }

    /// <summary>Gets a value indicating whether <c>-d</c>/<c>-D</c> (debugger, tracing module) was given.</summary>
    public bool Debug { get; set; }

    /// <summary>Gets the index of the first argument that is not a switch (the script, or the first input with <c>-e</c>), or -1.</summary>
    public int OperandIndex { get; set; } = -1;

    /// <summary>Reads perl's switches (perlrun): flags bundle; <c>-0</c> and <c>-l</c> take digits; <c>-i</c>, <c>-F</c>, <c>-M</c>, <c>-m</c>, <c>-x</c>, <c>-d</c>, <c>-D</c>, <c>-C</c>, <c>-V</c> take the rest of the bundle; <c>-e</c>, <c>-E</c>, <c>-I</c> the rest or the next argument.</summary>
    public static PerlSwitches Parse(IReadOnlyList<string> args)
    {
        var result = new PerlSwitches();
        for (var k = 0; k < args.Count; k++)
        {
            var arg = args[k];
            if (arg == "--")
            {
                result.OperandIndex = k + 1 < args.Count ? k + 1 : -1;
                return result;
            }

            if (arg.Length < 2 || arg[0] != '-')
            {
                result.OperandIndex = k;
                return result;
            }

            for (var j = 1; j < arg.Length; j++)
            {
                var c = arg[j];
                var rest = arg[(j + 1)..];
                switch (c)
                {
                    case 'e' or 'E' or 'I':
                        var value = rest.Length > 0 ? rest : k + 1 < args.Count ? args[++k] : null;
                        if (c != 'I' && value is not null)
                        {
                            result.Code.Add((k, value));
                        }

                        j = arg.Length;
                        break;
                    case '0' when j + 1 < arg.Length && arg[j + 1] is 'x' or 'X':
                        j++;
                        while (j + 1 < arg.Length && char.IsAsciiHexDigit(arg[j + 1]))
                        {
                            j++;
                        }

                        break;
                    case '0' or 'l':
                        while (j + 1 < arg.Length && arg[j + 1] is >= '0' and <= '7')
                        {
                            j++;
                        }

                        break;
                    case 'M' or 'm':
                        var module = rest.Length > 0 ? rest : k + 1 < args.Count ? args[++k] : string.Empty;
                        result.Modules.Add(module);
                        j = arg.Length;
                        break;
                    case 'i':
                        result.InPlace = true;
                        j = arg.Length;
                        break;
                    case 'd' or 'D':
                        result.Debug = true;
                        j = arg.Length;
                        break;
                    case 'F' or 'x' or 'C' or 'V':
                        j = arg.Length;
                        break;
                }
            }
        }

        return result;
    }
}

/// <summary>
/// A conservative reader for Perl one-liners (<c>perl -e</c>, <c>-ne</c>, <c>-pe</c>): it skips strings, regular
/// expressions and comments the way perl tokenizes them, and looks at every identifier. Text processing — the vast
/// majority of one-liners (<c>s/a/b/g</c>, <c>print if /x/</c>, <c>split</c>, <c>printf</c>, hashes, <c>END{}</c>) —
/// runs nothing and is not opaque. Commands with literal text (<c>system "…"</c>, <c>`…`</c>, <c>qx{…}</c>, piped
/// <c>open</c>) are handed back as shell code; file operations on literal paths become file operations. Anything that
/// could run code or touch the system in a way the reader does not follow — a command or path computed at run time,
/// string <c>eval</c>, <c>do FILE</c>, <c>require</c>/<c>use</c> of a module outside a list of pure ones, sockets,
/// <c>fork</c>, signal handlers, symbolic calls (<c>&amp;{…}</c>, <c>-&gt;can</c>), code in regular expressions
/// (<c>(?{…})</c>, <c>s///ee</c>) or interpolated in strings (<c>@{[…]}</c>) — makes the code opaque.
/// </summary>
internal static class PerlCode
{
    private const int MaxDepth = 4;

    /// <summary>Modules that compute but neither run programs nor touch the network (loading one is harmless).</summary>
    private static readonly HashSet<string> s_pureModules = new(StringComparer.Ordinal)
    {
        "strict", "warnings", "utf8", "feature", "integer", "bigint", "bignum", "bigrat", "constant", "vars", "locale", "open",
        "English", "List::Util", "List::MoreUtils", "Scalar::Util", "POSIX", "Data::Dumper", "Time::Local", "Time::HiRes",
        "Time::Piece", "Text::Wrap", "Text::Tabs", "Text::Abbrev", "Text::ParseWords", "Getopt::Long", "Getopt::Std",
        "Term::ANSIColor", "Encode", "MIME::Base64", "Digest::MD5", "Digest::SHA", "JSON::PP", "Cwd", "File::Basename",
        "File::Spec", "File::Spec::Functions", "Math::BigInt", "Math::BigFloat", "Math::Trig", "Math::Complex", "Unicode::Normalize",
        "charnames", "bytes", "diagnostics", "sort", "Memoize", "Hash::Util", "Tie::Hash", "Carp",
    };

    /// <summary>Builtins that start processes, talk to the network or change the process in ways this reader does not follow.</summary>
    private static readonly HashSet<string> s_unanalysed = new(StringComparer.Ordinal)
    {
        "fork", "setsid", "syscall", "dump", "dbmopen", "chroot", "socket", "socketpair", "connect", "bind", "listen", "accept",
        "send", "pipe", "kill", "setpgrp", "fcntl", "ioctl", "sysopen", "dbmclose", "setpriority", "exit_group",
    };

    /// <summary>Identifiers after which a <c>/</c> starts a regular expression rather than a division.</summary>
    private static readonly HashSet<string> s_regexAfter = new(StringComparer.Ordinal)
    {
        "split", "grep", "map", "if", "elsif", "unless", "while", "until", "and", "or", "not", "xor", "return", "print", "say",
        "push", "unshift", "join", "when", "x", "lt", "gt", "le", "ge", "eq", "ne", "cmp", "for", "foreach", "printf", "sort",
    };

    private static readonly string[] s_fileBuiltins = ["unlink", "rename", "link", "symlink", "rmdir", "truncate", "chmod", "chown", "mkdir", "utime"];

    /// <summary>Reads Perl code (joined <c>-e</c> lines) run with modules <paramref name="modules"/> (from <c>-M</c>/<c>-m</c>).</summary>
    public static PerlScan Scan(string code, IEnumerable<string> modules)
    {
        var scan = new PerlScan();
        foreach (var module in modules)
        {
            CheckModule(module, scan);
        }

        if (scan.Opaque is null)
        {
            new Reader(code, scan, 0).Run();
        }

        return scan;
    }

    private static void CheckModule(string module, PerlScan scan)
    {
        var name = module;
        var cut = name.AsSpan().IndexOfAny('=', ' ');
        if (cut >= 0)
        {
            name = name[..cut];
        }

        if (name.StartsWith('-'))
        {
            name = name[1..]; // -M-warnings is "no warnings"
        }

        if (name.Length > 0 && !s_pureModules.Contains(name))
        {
            scan.Opaque ??= $"loads the module {name}, whose behaviour is not analysed";
        }
    }

    private sealed class Reader(string code, PerlScan scan, int depth)
    {
        private int _i;
        private bool _operand; // the last token was an operand: a '/' now divides, a '%' is the modulus operator

        public void Run()
        {
            if (depth > MaxDepth)
            {
                Opaque("code nested in substitutions too deeply");
                return;
            }

            while (_i < code.Length && scan.Opaque is null)
            {
                var c = code[_i];
                if (char.IsWhiteSpace(c))
                {
                    _i++;
                }
                else if (c == '#')
                {
                    SkipLine();
                }
                else if (char.IsAsciiLetter(c) || c == '_')
                {
                    Identifier();
                }
                else if (char.IsAsciiDigit(c))
                {
                    while (_i < code.Length && (char.IsAsciiLetterOrDigit(code[_i]) || code[_i] is '_' or '.') && !(code[_i] == '.' && _i + 1 < code.Length && code[_i + 1] == '.'))
                    {
                        _i++;
                    }

                    _operand = true;
                }
                else
                {
                    Punctuation(c);
                }
            }
        }

        private void Opaque(string reason) => scan.Opaque ??= reason;

        private void SkipLine()
        {
            var newline = code.IndexOf('\n', _i);
            _i = newline < 0 ? code.Length : newline + 1;
        }

        private void Punctuation(char c)
        {
            switch (c)
            {
                case '\'':
                    _ = ReadDelimited('\'', out _);
                    _operand = true;
                    return;
                case '"':
                    var text = ReadDelimited('"', out _);
                    CheckInterpolation(text);
                    _operand = true;
                    return;
                case '`':
                    var command = ReadDelimited('`', out _);
                    RunCommand(command, interpolates: true);
                    _operand = true;
                    return;
                case '$':
                    Scalar();
                    return;
                case '@':
                    _i++;
                    SkipVariableName(); // @{…} outside a string is a dereference: the code inside is read as code

                    _operand = true;
                    return;
                case '%' when !_operand:
                    _i++;
                    var hash = ReadName();
                    if (hash is "SIG" or "main::SIG" or "::SIG")
                    {
                        Opaque("installs signal handlers (%SIG)");
                    }

                    _operand = true;
                    return;
                case '&' when Peek(1) == '&':
                    _i += 2;
                    _operand = false;
                    return;
                case '&' when !_operand:
                    _i++;
                    if (_i < code.Length && code[_i] is '{' or '$')
                    {
                        Opaque("calls code through a reference or a computed name (&{…}, &$x)");
                        return;
                    }

                    var called = ReadName();
                    if (called.Length > 0)
                    {
                        CheckCall(called);
                    }

                    _operand = true;
                    return;
                case '*' when !_operand && Peek(1) == '{':
                    Opaque("manipulates the symbol table (*{…})");
                    return;
                case '-' when Peek(1) == '>':
                    _i = SkipBlanks(_i + 2);

                    if (_i < code.Length && code[_i] == '$')
                    {
                        Opaque("calls a method whose name is computed at run time");
                        return;
                    }

                    var method = ReadName();
                    if (method is "can" or "SUPER::can" or "UNIVERSAL::can")
                    {
                        Opaque("looks a method up by name (->can)");
                    }

                    _operand = method.Length > 0;
                    return;
                case '/' when !_operand:
                    var pattern = ReadDelimited('/', out _);
                    CheckRegex(pattern);
                    SkipFlags();
                    _operand = true;
                    return;
                case '<' when Peek(1) == '<' && (Peek(2) is '"' or '\'' or '~' || char.IsAsciiLetterUpper(Peek(2))):
                    Opaque("reads a here-document, which is not analysed");
                    return;
                case ')' or ']' or '}':
                    _i++;
                    _operand = true;
                    return;
                default:
                    _i++;
                    _operand = false;
                    return;
            }
        }

        private char Peek(int offset) => _i + offset < code.Length ? code[_i + offset] : '\0';

        private void Scalar()
        {
            _i++;
            if (_i >= code.Length)
            {
                return;
            }

            var c = code[_i];
            if (c == '#')
            {
                _i++; // $#array, $#{…}, $#$ref: the last index, never a comment
                if (_i < code.Length && code[_i] is '{' or '$')
                {
                    _operand = false;
                    return;
                }

                SkipVariableName();
            }
            else if (c == '^')
            {
                _i++;
                if (_i < code.Length && code[_i] == 'I')
                {
                    scan.InPlace = true; // $^I: in-place editing of the input files
                }

                _i++;
            }
            else if (c == '{')
            {
                // ${name}, ${^NAME}, or ${ expression }: the expression is code and is read as such.
                _operand = false;
                return;
            }
            else if (char.IsAsciiLetter(c) || c == '_' || c == ':')
            {
                var name = ReadName();
                if (name is "SIG" or "main::SIG" or "::SIG")
                {
                    Opaque("installs signal handlers ($SIG{…})");
                }
            }
            else if (c == '$')
            {
                _i++;
                if (_i < code.Length && (char.IsAsciiLetter(code[_i]) || code[_i] is '_' or '{' or ':'))
                {
                    SkipVariableName(); // $$name: a dereference
                }
            }
            else
            {
                _i++; // $_, $/, $, $\, $0, $1, $', $", $;, $!, $@, $&: special variables
                while (char.IsAsciiDigit(c) && _i < code.Length && char.IsAsciiDigit(code[_i]))
                {
                    _i++;
                }
            }

            _operand = true;
        }

        private void SkipVariableName()
        {
            if (_i < code.Length && (char.IsAsciiLetter(code[_i]) || code[_i] is '_' or ':'))
            {
                ReadName();
            }
            else if (_i < code.Length && code[_i] is not ('{' or '$'))
            {
                _i++; // @_, @-, @+
            }
        }

        private string ReadName()
        {
            var start = _i;
            while (_i < code.Length)
            {
                var c = code[_i];
                if (char.IsAsciiLetterOrDigit(c) || c == '_')
                {
                    _i++;
                }
                else if (c == ':' && Peek(1) == ':')
                {
                    _i += 2;
                }
                else if (c == '\'' && _i > start && _i + 1 < code.Length && (char.IsAsciiLetter(code[_i + 1]) || code[_i + 1] == '_'))
                {
                    _i++; // the old package separator: main'x is main::x, not the start of a string
                }
                else
                {
                    break;
                }
            }

            return code[start.._i].Replace('\'', ':');
        }

        private void Identifier()
        {
            var start = _i;
            var name = ReadName();
            if (name.Length == 1 && start > 0 && code[start - 1] == '-' && (start < 2 || !char.IsAsciiLetterOrDigit(code[start - 2])))
            {
                _operand = false; // a file test (-s $f, -e, -d …), never s/…/ or y/…/
                return;
            }

            if (name is "__END__" or "__DATA__")
            {
                _i = code.Length;
                return;
            }

            if (IsQuoteLike(name) && QuoteDelimiter() is { } delimiter)
            {
                QuoteLike(name, delimiter);
                _operand = true;
                return;
            }

            var last = name.Contains(':', StringComparison.Ordinal) ? name[(name.LastIndexOf(':') + 1)..] : name;
            if (name.StartsWith("CORE::GLOBAL", StringComparison.Ordinal))
            {
                Opaque("overrides builtins (CORE::GLOBAL)");
                return;
            }

            if (name.StartsWith("CORE::", StringComparison.Ordinal))
            {
                name = last;
            }

            CheckCall(name);
            _operand = !s_regexAfter.Contains(name);
        }

        private void CheckCall(string name)
        {
            switch (name)
            {
                case "system" or "exec":
                    RunArguments(name);
                    return;
                case "readpipe":
                    RunArguments(name);
                    return;
                case "open":
                    Open();
                    return;
                case "eval" or "do":
                    if (NextSignificant() != '{')
                    {
                        Opaque(name == "eval" ? "eval of a string computed at run time" : "do FILE runs another file");
                    }

                    return;
                case "require" or "use" or "no":
                    Module(name);
                    return;
                case "goto":
                    if (NextSignificant() == '&')
                    {
                        Opaque("jumps into code through a reference (goto &…)");
                    }

                    return;
            }

            if (s_unanalysed.Contains(name))
            {
                Opaque($"calls {name}, which is not analysed");
                return;
            }

            if (Array.IndexOf(s_fileBuiltins, name) >= 0)
            {
                FileBuiltin(name);
            }
        }

        private char NextSignificant()
        {
            var j = SkipBlanks(_i);
            return j < code.Length ? code[j] : '\0';
        }

        private void Module(string keyword)
        {
            _i = SkipBlanks(_i);

            if (_i >= code.Length)
            {
                return;
            }

            if (char.IsAsciiDigit(code[_i]) || code[_i] == 'v')
            {
                var version = ReadName();
                if (version.Length > 0 && (char.IsAsciiDigit(version[0]) || (version[0] == 'v' && version.Length > 1 && char.IsAsciiDigit(version[1]))))
                {
                    return; // use 5.010; use v5.36
                }

                CheckModule(version, scan);
                return;
            }

            if (!(char.IsAsciiLetter(code[_i]) || code[_i] == '_'))
            {
                Opaque($"{keyword} of a module or file computed at run time");
                return;
            }

            CheckModule(ReadName(), scan);
        }

        /// <summary>
        /// Reads the argument list of a call (up to its closing parenthesis, or the end of the statement or a statement
        /// modifier such as <c>or die</c>): for each argument, its value when it is a literal string. The cursor does not
        /// move, so the main loop still reads every argument as code.
        /// </summary>
        private List<(bool Literal, string Value)> ReadArguments()
        {
            var j = SkipBlanks(_i);
            var parenthesised = j < code.Length && code[j] == '(';
            if (parenthesised)
            {
                j = SkipBlanks(j + 1);
            }

            var arguments = new List<(bool Literal, string Value)>();
            while (j < code.Length && !(parenthesised ? code[j] == ')' : code[j] is ';' or '}' or ')'))
            {
                var k = j;
                if (code[j] is '\'' or '"' && LiteralString(ref k, out var value) && IsArgumentEnd(SkipBlanks(k), parenthesised))
                {
                    arguments.Add((true, value));
                    j = SkipBlanks(k);
                }
                else
                {
                    arguments.Add((false, string.Empty));
                    j = SkipExpression(j, parenthesised);
                }

                if (j < code.Length && (code[j] == ',' || (code[j] == '=' && j + 1 < code.Length && code[j + 1] == '>')))
                {
                    j = SkipBlanks(j + (code[j] == ',' ? 1 : 2));
                    continue;
                }

                break;
            }

            return arguments;
        }

        /// <summary>Determines whether an argument ends at <paramref name="j"/>: a comma, the end of the list, or a statement modifier.</summary>
        private bool IsArgumentEnd(int j, bool parenthesised) =>
            j >= code.Length || code[j] is ',' or ';' or '}' or ')' || (code[j] == '=' && j + 1 < code.Length && code[j + 1] == '>')
            || (!parenthesised && char.IsAsciiLetter(code[j]));

        /// <summary>Gets the arguments' values when every one is a literal string, or null.</summary>
        private List<string>? LiteralArguments(out int count)
        {
            var arguments = ReadArguments();
            count = arguments.Count;
            return arguments.TrueForAll(a => a.Literal) ? arguments.ConvertAll(a => a.Value) : null;
        }

        private int SkipBlanks(int j)
        {
            while (j < code.Length && char.IsWhiteSpace(code[j]))
            {
                j++;
            }

            return j;
        }

        /// <summary>Skips an expression argument up to a top-level comma or the end of the list; returns the index reached.</summary>
        private int SkipExpression(int j, bool parenthesised)
        {
            var nesting = 0;
            while (j < code.Length)
            {
                var c = code[j];
                if (c is '(' or '[' or '{')
                {
                    nesting++;
                }
                else if (c is ')' or ']' or '}')
                {
                    if (nesting == 0)
                    {
                        return j;
                    }

                    nesting--;
                }
                else if (nesting == 0 && (c == ',' || (!parenthesised && c == ';')))
                {
                    return j;
                }
                else if (c is '\'' or '"')
                {
                    var quote = c;
                    j++;
                    while (j < code.Length && code[j] != quote)
                    {
                        j += code[j] == '\\' ? 2 : 1;
                    }
                }

                j++;
            }

            return j;
        }

        /// <summary>Reads a single- or double-quoted string at <paramref name="j"/> whose value is fully known (no interpolation).</summary>
        private bool LiteralString(ref int j, out string value)
        {
            var quote = code[j];
            var builder = new System.Text.StringBuilder();
            var k = j + 1;
            while (k < code.Length && code[k] != quote)
            {
                var c = code[k];
                if (c == '\\' && k + 1 < code.Length)
                {
                    var next = code[k + 1];
                    if (quote == '\'' ? next is '\'' or '\\' : next is '"' or '\\' or '$' or '@')
                    {
                        builder.Append(next);
                        k += 2;
                        continue;
                    }

                    if (quote == '"')
                    {
                        value = string.Empty;
                        return false; // \n, \x41 …: escapes this reader does not decode
                    }
                }
                else if (quote == '"' && c is '$' or '@')
                {
                    value = string.Empty;
                    return false; // interpolation
                }

                builder.Append(c);
                k++;
            }

            if (k >= code.Length)
            {
                value = string.Empty;
                return false;
            }

            j = k + 1;
            value = builder.ToString();
            return true;
        }

        private void RunArguments(string name)
        {
            var arguments = LiteralArguments(out var count);
            if (arguments is null || count == 0)
            {
                Opaque($"{name} of a command computed at run time");
                return;
            }

            scan.Commands.Add(arguments.Count == 1 ? arguments[0] : string.Join(' ', arguments.Select(ShellQuoting.Quote)));
        }

        private void Open()
        {
            var arguments = ReadArguments();
            var count = arguments.Count;
            var (modeLiteral, mode) = count > 1 ? arguments[1] : (false, string.Empty);
            var (targetLiteral, target) = count > 2 ? arguments[2] : (false, string.Empty);
            if (count < 2)
            {
                Opaque("open of a file or command computed at run time");
                return;
            }

            if (count == 2)
            {
                if (!modeLiteral)
                {
                    Opaque("two-argument open of a string computed at run time (it may start a command)");
                    return;
                }

                var spec = mode.Trim();
                if (spec.EndsWith('|'))
                {
                    RunCommand(spec[..^1].Trim(), interpolates: false);
                }
                else if (spec.StartsWith('|'))
                {
                    RunCommand(spec[1..].Trim(), interpolates: false);
                }
                else if (spec.StartsWith(">>", StringComparison.Ordinal))
                {
                    AddFile(FileAction.Append, spec[2..].Trim());
                }
                else if (spec.StartsWith("+<", StringComparison.Ordinal) || spec.StartsWith('>') || spec.StartsWith("+>", StringComparison.Ordinal))
                {
                    AddFile(FileAction.Write, spec.TrimStart('+', '>', '<').Trim());
                }
                else
                {
                    AddFile(FileAction.Read, spec.TrimStart('<').Trim());
                }

                return;
            }

            if (!modeLiteral)
            {
                Opaque("open with a mode computed at run time");
                return;
            }

            var layer = mode.IndexOf(':', StringComparison.Ordinal);
            var bare = (layer >= 0 ? mode[..layer] : mode).Trim();
            if (bare.Contains('|', StringComparison.Ordinal))
            {
                Opaque("open of a pipe to or from a command list");
                return;
            }

            if (!targetLiteral)
            {
                return; // reading or writing a file whose name is computed: like a shell redirection to an unknown path
            }

            AddFile(bare switch
            {
                ">>" => FileAction.Append,
                ">" or "+>" or "+<" or "+>>" => FileAction.Write,
                _ => FileAction.Read,
            }, target);
        }

        private void FileBuiltin(string name)
        {
            var arguments = LiteralArguments(out var count);
            if (count == 0)
            {
                if (name is "rename" or "link" or "symlink")
                {
                    Opaque($"{name} of paths computed at run time");
                }

                return; // unlink, chmod … of $_: the input's files
            }

            if (arguments is null)
            {
                if (name is "rename" or "link" or "symlink")
                {
                    Opaque($"{name} of paths computed at run time");
                }

                return;
            }

            switch (name)
            {
                case "rename" when arguments.Count == 2:
                    AddFile(FileAction.Move, arguments[1], arguments[0]);
                    break;
                case "link" or "symlink" when arguments.Count == 2:
                    AddFile(FileAction.Link, arguments[1], arguments[0]);
                    break;
                case "unlink" or "rmdir":
                    foreach (var path in arguments)
                    {
                        AddFile(FileAction.Delete, path);
                    }

                    break;
                case "truncate" when arguments.Count >= 1:
                    AddFile(FileAction.Write, arguments[0]);
                    break;
                case "chmod" or "chown":
                    foreach (var path in arguments.Skip(name == "chmod" ? 1 : 2))
                    {
                        AddFile(FileAction.PermissionChange, path);
                    }

                    break;
            }
        }

        private void AddFile(FileAction action, string path, string? source = null)
        {
            if (path.Length > 0)
            {
                scan.Files.Add((action, path, source));
            }
        }

        private void RunCommand(string command, bool interpolates)
        {
            if (interpolates && command.AsSpan().IndexOfAny('$', '@') >= 0)
            {
                Opaque("runs a command computed at run time (interpolated backticks or qx)");
                return;
            }

            if (command.Trim().Length > 0)
            {
                scan.Commands.Add(command);
            }
        }

        private static bool IsQuoteLike(string name) => name is "q" or "qq" or "qw" or "qr" or "qx" or "m" or "s" or "tr" or "y";

        /// <summary>Gets the opening delimiter of a quote-like operator at the cursor, or null when the word is not one (a hash key, <c>s =&gt; 1</c>).</summary>
        private char? QuoteDelimiter()
        {
            var j = SkipBlanks(_i);

            if (j >= code.Length)
            {
                return null;
            }

            var c = code[j];
            if (char.IsAsciiLetterOrDigit(c) || c is '_' or ',' or ';' or ')' or ']' or '}' || (c == '=' && j + 1 < code.Length && code[j + 1] == '>'))
            {
                return null;
            }

            if (j > _i && (c == '#' || c == '='))
            {
                return null; // after white space, # starts a comment
            }

            _i = j;
            return c;
        }

        private void QuoteLike(string name, char open)
        {
            var first = ReadDelimited(open, out var close);
            switch (name)
            {
                case "q" or "qw":
                    return;
                case "qq":
                    CheckInterpolation(first);
                    return;
                case "qx":
                    RunCommand(first, interpolates: open != '\'');
                    return;
                case "m" or "qr":
                    CheckRegex(first);
                    SkipFlags();
                    return;
                case "tr" or "y":
                    SkipSecondPart(open, close);
                    SkipFlags();
                    return;
                default: // s
                    CheckRegex(first);
                    var replacement = SkipSecondPart(open, close);
                    var flags = SkipFlags();
                    var evaluations = flags.Count(f => f == 'e');
                    if (evaluations >= 2)
                    {
                        Opaque("s///ee evaluates text computed at run time as code");
                    }
                    else if (evaluations == 1)
                    {
                        var inner = new Reader(replacement, scan, depth + 1);
                        inner.Run();
                    }
                    else
                    {
                        CheckInterpolation(replacement);
                    }

                    return;
            }
        }

        private string SkipSecondPart(char open, char close)
        {
            if (open == close)
            {
                _i--; // the closing delimiter of the first part opens the second
                return ReadDelimited(open, out _);
            }

            _i = SkipBlanks(_i);
            if (_i >= code.Length)
            {
                return string.Empty;
            }

            return ReadDelimited(code[_i], out _);
        }

        private string SkipFlags()
        {
            var start = _i;
            while (_i < code.Length && char.IsAsciiLetter(code[_i]))
            {
                _i++;
            }

            return code[start.._i];
        }

        /// <summary>Reads text from the delimiter at the cursor to its closing delimiter (nesting brackets); the cursor ends after it.</summary>
        private string ReadDelimited(char open, out char close)
        {
            close = open switch
            {
                '(' => ')',
                '[' => ']',
                '{' => '}',
                '<' => '>',
                _ => open,
            };
            var start = _i + 1;
            var nesting = 0;
            var j = start;
            while (j < code.Length)
            {
                var c = code[j];
                if (c == '\\')
                {
                    j += 2;
                    continue;
                }

                if (c == close && nesting == 0)
                {
                    _i = j + 1;
                    return code[start..j];
                }

                if (open != close)
                {
                    if (c == open)
                    {
                        nesting++;
                    }
                    else if (c == close)
                    {
                        nesting--;
                    }
                }

                j++;
            }

            Opaque("an unterminated string or regular expression");
            _i = code.Length;
            return code[Math.Min(start, code.Length)..];
        }

        private void CheckRegex(string pattern)
        {
            if (pattern.Contains("(?{", StringComparison.Ordinal) || pattern.Contains("(??{", StringComparison.Ordinal) || pattern.Contains("(*{", StringComparison.Ordinal))
            {
                Opaque("runs code inside a regular expression ((?{…}))");
                return;
            }

            CheckInterpolation(pattern);
        }

        /// <summary>Code can run inside interpolated text: <c>@{[ … ]}</c> and <c>${\ … }</c>.</summary>
        private void CheckInterpolation(string text)
        {
            for (var k = 0; k + 1 < text.Length; k++)
            {
                if (text[k] == '\\')
                {
                    k++;
                    continue;
                }

                if (text[k] is '@' or '$' && text[k + 1] == '{')
                {
                    var m = k + 2;
                    while (m < text.Length && char.IsWhiteSpace(text[m]))
                    {
                        m++;
                    }

                    if (m < text.Length && !(char.IsAsciiLetter(text[m]) || text[m] is '_' or '^' or '}'))
                    {
                        Opaque("runs code interpolated in a string (@{[ … ]} or ${\\ … })");
                        return;
                    }
                }
            }
        }
    }
}
