namespace Guardrails.Shell.Syntax;

/// <summary>
/// A command of a pipeline. Compound commands carry the redirections written after them
/// (<c>{ …; } &gt;file</c>); the span of every command covers those redirections.
/// </summary>
internal abstract class Command : Node
{
    private protected Command(IReadOnlyList<Redirection> redirections, TextSpan span)
        : base(span) => Redirections = redirections;

    /// <summary>Gets the redirections of the command, in source order.</summary>
    public IReadOnlyList<Redirection> Redirections { get; }
}

/// <summary>
/// Assignments, words and redirections in any order (<c>a=1 &gt;f cmd x</c>). <see cref="Words"/>[0] is the command
/// name when present; assignment-only and redirection-only commands have no words.
/// </summary>
internal sealed class SimpleCommand : Command
{
    public SimpleCommand(IReadOnlyList<Assignment> assignments, IReadOnlyList<Word> words, IReadOnlyList<Redirection> redirections, TextSpan span)
        : base(redirections, span)
    {
        Assignments = assignments;
        Words = words;
    }

    /// <summary>Gets the assignments written before the command name.</summary>
    public IReadOnlyList<Assignment> Assignments { get; }

    /// <summary>Gets the command name followed by its arguments.</summary>
    public IReadOnlyList<Word> Words { get; }

    /// <inheritdoc />
    public override IEnumerable<Node> Children
    {
        get
        {
            // Source order matters for consumers that report the first offending node.
            var nodes = new List<Node>(Assignments.Count + Words.Count + Redirections.Count);
            nodes.AddRange(Assignments);
            nodes.AddRange(Words);
            nodes.AddRange(Redirections);
            nodes.Sort(static (a, b) => a.Span.Start.CompareTo(b.Span.Start));
            return nodes;
        }
    }
}

/// <summary><c>( list )</c>: a list run in a child shell.</summary>
internal sealed class Subshell : Command
{
    public Subshell(CommandList body, IReadOnlyList<Redirection> redirections, TextSpan span)
        : base(redirections, span) => Body = body;

    /// <summary>Gets the list run in the subshell.</summary>
    public CommandList Body { get; }

    /// <inheritdoc />
    public override IEnumerable<Node> Children => [Body, .. Redirections];
}

/// <summary><c>{ list; }</c>: a list grouped in the current shell.</summary>
internal sealed class BraceGroup : Command
{
    public BraceGroup(CommandList body, IReadOnlyList<Redirection> redirections, TextSpan span)
        : base(redirections, span) => Body = body;

    /// <summary>Gets the grouped list.</summary>
    public CommandList Body { get; }

    /// <inheritdoc />
    public override IEnumerable<Node> Children => [Body, .. Redirections];
}

/// <summary>
/// <c>name() body</c> or <c>function name [()] body</c>. Redirections written after the body belong to the body, as
/// in bash, so this node's own <see cref="Command.Redirections"/> is always empty.
/// </summary>
internal sealed class FunctionDefinition : Command
{
    public FunctionDefinition(string name, Command body, TextSpan span)
        : base([], span)
    {
        Name = name;
        Body = body;
    }

    /// <summary>Gets the function name (quote-removed text of the name word).</summary>
    public string Name { get; }

    /// <summary>Gets the body; bash requires a compound command (a syntax error is reported otherwise).</summary>
    public Command Body { get; }

    /// <inheritdoc />
    public override IEnumerable<Node> Children
    {
        get { yield return Body; }
    }
}

/// <summary><c>if c; then b; elif c; then b; else b; fi</c>.</summary>
internal sealed class IfCommand : Command
{
    public IfCommand(IReadOnlyList<(CommandList Condition, CommandList Body)> branches, CommandList? @else, IReadOnlyList<Redirection> redirections, TextSpan span)
        : base(redirections, span)
    {
        Branches = branches;
        Else = @else;
    }

    /// <summary>Gets the <c>if</c> branch followed by the <c>elif</c> branches.</summary>
    public IReadOnlyList<(CommandList Condition, CommandList Body)> Branches { get; }

    /// <summary>Gets the <c>else</c> body, if any.</summary>
    public CommandList? Else { get; }

    /// <inheritdoc />
    public override IEnumerable<Node> Children
    {
        get
        {
            foreach (var (condition, body) in Branches)
            {
                yield return condition;
                yield return body;
            }

            if (Else is not null)
            {
                yield return Else;
            }

            foreach (var redirection in Redirections)
            {
                yield return redirection;
            }
        }
    }
}

/// <summary><c>while c; do b; done</c> or <c>until c; do b; done</c>.</summary>
internal sealed class WhileCommand : Command
{
    public WhileCommand(CommandList condition, CommandList body, bool isUntil, IReadOnlyList<Redirection> redirections, TextSpan span)
        : base(redirections, span)
    {
        Condition = condition;
        Body = body;
        IsUntil = isUntil;
    }

    /// <summary>Gets the loop condition.</summary>
    public CommandList Condition { get; }

    /// <summary>Gets the loop body.</summary>
    public CommandList Body { get; }

    /// <summary>Gets a value indicating whether this is an <c>until</c> loop.</summary>
    public bool IsUntil { get; }

    /// <inheritdoc />
    public override IEnumerable<Node> Children => [Condition, Body, .. Redirections];
}

/// <summary><c>for name [in words]; do b; done</c>.</summary>
internal sealed class ForCommand : Command
{
    public ForCommand(string variable, IReadOnlyList<Word>? items, CommandList body, IReadOnlyList<Redirection> redirections, TextSpan span)
        : base(redirections, span)
    {
        Variable = variable;
        Items = items;
        Body = body;
    }

    /// <summary>Gets the loop variable name.</summary>
    public string Variable { get; }

    /// <summary>Gets the words after <c>in</c>, or <see langword="null"/> when there is no <c>in</c> (loops over <c>"$@"</c>).</summary>
    public IReadOnlyList<Word>? Items { get; }

    /// <summary>Gets the loop body.</summary>
    public CommandList Body { get; }

    /// <inheritdoc />
    public override IEnumerable<Node> Children => [.. Items ?? [], Body, .. Redirections];
}

/// <summary><c>for (( init; test; update )); do b; done</c>. The expressions are the raw source text.</summary>
internal sealed class ArithmeticForCommand : Command
{
    public ArithmeticForCommand(string init, string test, string update, CommandList body, IReadOnlyList<Redirection> redirections, TextSpan span)
        : base(redirections, span)
    {
        Init = init;
        Test = test;
        Update = update;
        Body = body;
    }

    /// <summary>Gets the initialisation expression.</summary>
    public string Init { get; }

    /// <summary>Gets the test expression.</summary>
    public string Test { get; }

    /// <summary>Gets the update expression.</summary>
    public string Update { get; }

    /// <summary>Gets the loop body.</summary>
    public CommandList Body { get; }

    /// <summary>
    /// Gets the expansions found inside the three expressions (<c>$x</c>, <c>$(cmd)</c>, …). Bash performs them before
    /// evaluating, so a command substitution there runs like any other.
    /// </summary>
    public IReadOnlyList<WordPart> Expansions { get; init; } = [];

    /// <inheritdoc />
    public override IEnumerable<Node> Children => [.. Expansions, Body, .. Redirections];
}

/// <summary><c>select name [in words]; do b; done</c>.</summary>
internal sealed class SelectCommand : Command
{
    public SelectCommand(string variable, IReadOnlyList<Word>? items, CommandList body, IReadOnlyList<Redirection> redirections, TextSpan span)
        : base(redirections, span)
    {
        Variable = variable;
        Items = items;
        Body = body;
    }

    /// <summary>Gets the variable name.</summary>
    public string Variable { get; }

    /// <summary>Gets the words after <c>in</c>, or <see langword="null"/> when there is no <c>in</c>.</summary>
    public IReadOnlyList<Word>? Items { get; }

    /// <summary>Gets the body.</summary>
    public CommandList Body { get; }

    /// <inheritdoc />
    public override IEnumerable<Node> Children => [.. Items ?? [], Body, .. Redirections];
}

/// <summary><c>case word in pattern) list ;; … esac</c>.</summary>
internal sealed class CaseCommand : Command
{
    public CaseCommand(Word subject, IReadOnlyList<CaseItem> items, IReadOnlyList<Redirection> redirections, TextSpan span)
        : base(redirections, span)
    {
        Subject = subject;
        Items = items;
    }

    /// <summary>Gets the word matched against the patterns.</summary>
    public Word Subject { get; }

    /// <summary>Gets the clauses.</summary>
    public IReadOnlyList<CaseItem> Items { get; }

    /// <inheritdoc />
    public override IEnumerable<Node> Children => [Subject, .. Items, .. Redirections];
}

/// <summary>One clause of a <see cref="CaseCommand"/>: <c>(a|b) list ;;</c>.</summary>
internal sealed class CaseItem : Node
{
    public CaseItem(IReadOnlyList<Word> patterns, CommandList body, TextSpan span)
        : base(span)
    {
        Patterns = patterns;
        Body = body;
    }

    /// <summary>Gets the alternatives separated by <c>|</c>.</summary>
    public IReadOnlyList<Word> Patterns { get; }

    /// <summary>Gets the list run when a pattern matches.</summary>
    public CommandList Body { get; }

    /// <inheritdoc />
    public override IEnumerable<Node> Children => [.. Patterns, Body];
}

/// <summary>
/// <c>[[ … ]]</c>. The words are kept in order without building an expression tree; operators
/// (<c>&lt;</c>, <c>&amp;&amp;</c>, <c>(</c>, <c>=~</c>, …) appear as plain literal words.
/// </summary>
internal sealed class ConditionalCommand : Command
{
    public ConditionalCommand(IReadOnlyList<Word> words, IReadOnlyList<Redirection> redirections, TextSpan span)
        : base(redirections, span) => Words = words;

    /// <summary>Gets the words between <c>[[</c> and <c>]]</c>.</summary>
    public IReadOnlyList<Word> Words { get; }

    /// <inheritdoc />
    public override IEnumerable<Node> Children => [.. Words, .. Redirections];
}

/// <summary><c>(( expression ))</c>. The expression is the raw source text between the parentheses.</summary>
internal sealed class ArithmeticCommand : Command
{
    public ArithmeticCommand(string expression, IReadOnlyList<Redirection> redirections, TextSpan span)
        : base(redirections, span) => Expression = expression;

    /// <summary>Gets the raw expression text.</summary>
    public string Expression { get; }

    /// <summary>Gets the expansions found inside the expression; bash performs them (a <c>$(cmd)</c> there runs).</summary>
    public IReadOnlyList<WordPart> Expansions { get; init; } = [];

    /// <inheritdoc />
    public override IEnumerable<Node> Children => [.. Expansions, .. Redirections];
}

/// <summary><c>coproc [NAME] command</c>: runs the command asynchronously with pipes to the shell.</summary>
internal sealed class CoprocCommand : Command
{
    public CoprocCommand(string? name, Command body, TextSpan span)
        : base([], span)
    {
        Name = name;
        Body = body;
    }

    /// <summary>Gets the coprocess name when given (only possible with a compound body).</summary>
    public string? Name { get; }

    /// <summary>Gets the command run as the coprocess.</summary>
    public Command Body { get; }

    /// <inheritdoc />
    public override IEnumerable<Node> Children
    {
        get { yield return Body; }
    }
}
