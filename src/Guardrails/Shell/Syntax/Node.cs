namespace Guardrails.Shell.Syntax;

/// <summary>
/// Base of every bash syntax-tree node. A node never carries a copy of the source text, only the
/// <see cref="Span"/> it was parsed from, so that findings can point at the exact characters an agent wrote.
/// </summary>
internal abstract class Node
{
    private protected Node(TextSpan span) => Span = span;

    /// <summary>Gets the characters of the original source this node was parsed from.</summary>
    public TextSpan Span { get; }

    /// <summary>
    /// Gets the direct child nodes in source order. Walkers use this so that nothing nested (a command substitution
    /// inside a redirection target inside a function body) can be missed by a consumer that forgot a node type.
    /// </summary>
    public abstract IEnumerable<Node> Children { get; }
}

/// <summary>The root of a parsed script.</summary>
internal sealed class Script : Node
{
    public Script(CommandList body, TextSpan span)
        : base(span) => Body = body;

    /// <summary>Gets the top-level command list.</summary>
    public CommandList Body { get; }

    /// <inheritdoc />
    public override IEnumerable<Node> Children
    {
        get { yield return Body; }
    }
}

/// <summary>A sequence of and-or lists separated by <c>;</c>, <c>&amp;</c> or newlines.</summary>
internal sealed class CommandList : Node
{
    public CommandList(IReadOnlyList<ListItem> items, TextSpan span)
        : base(span) => Items = items;

    /// <summary>Gets the items in source order.</summary>
    public IReadOnlyList<ListItem> Items { get; }

    /// <inheritdoc />
    public override IEnumerable<Node> Children => Items;
}

/// <summary>One and-or list of a <see cref="CommandList"/>, and whether it runs in the background.</summary>
internal sealed class ListItem : Node
{
    public ListItem(AndOrList command, bool background, TextSpan span)
        : base(span)
    {
        Command = command;
        Background = background;
    }

    /// <summary>Gets the and-or list.</summary>
    public AndOrList Command { get; }

    /// <summary>Gets a value indicating whether the item was terminated by <c>&amp;</c> (the span then covers it).</summary>
    public bool Background { get; }

    /// <inheritdoc />
    public override IEnumerable<Node> Children
    {
        get { yield return Command; }
    }
}

/// <summary>The operator joining two pipelines of an <see cref="AndOrList"/>.</summary>
internal enum AndOrOperator
{
    /// <summary><c>&amp;&amp;</c>: run the next pipeline when the previous one succeeded.</summary>
    And,

    /// <summary><c>||</c>: run the next pipeline when the previous one failed.</summary>
    Or,
}

/// <summary>Pipelines joined by <c>&amp;&amp;</c> and <c>||</c>.</summary>
internal sealed class AndOrList : Node
{
    public AndOrList(Pipeline first, IReadOnlyList<(AndOrOperator Op, Pipeline Pipeline)> rest, TextSpan span)
        : base(span)
    {
        First = first;
        Rest = rest;
    }

    /// <summary>Gets the first pipeline.</summary>
    public Pipeline First { get; }

    /// <summary>Gets the following pipelines with the operator before each.</summary>
    public IReadOnlyList<(AndOrOperator Op, Pipeline Pipeline)> Rest { get; }

    /// <inheritdoc />
    public override IEnumerable<Node> Children
    {
        get
        {
            yield return First;
            foreach (var (_, pipeline) in Rest)
            {
                yield return pipeline;
            }
        }
    }
}

/// <summary>Commands joined by <c>|</c> or <c>|&amp;</c>, optionally prefixed by <c>!</c> and/or <c>time</c>.</summary>
internal sealed class Pipeline : Node
{
    public Pipeline(bool negated, bool timed, IReadOnlyList<Command> commands, IReadOnlyList<bool> pipeStderr, TextSpan span)
        : base(span)
    {
        Negated = negated;
        Timed = timed;
        Commands = commands;
        PipeStderr = pipeStderr;
    }

    /// <summary>Gets a value indicating whether the exit status is inverted by <c>!</c>.</summary>
    public bool Negated { get; }

    /// <summary>Gets a value indicating whether the pipeline is prefixed by the <c>time</c> reserved word.</summary>
    public bool Timed { get; }

    /// <summary>Gets the commands; empty only for a bare <c>!</c> or <c>time</c>.</summary>
    public IReadOnlyList<Command> Commands { get; }

    /// <summary>Gets, for each pipe between command i and i+1, whether it was <c>|&amp;</c> (stderr piped too).</summary>
    public IReadOnlyList<bool> PipeStderr { get; }

    /// <inheritdoc />
    public override IEnumerable<Node> Children => Commands;
}
