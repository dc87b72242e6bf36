namespace Guardrails.Shell.Syntax;

/// <summary>The operator of a <see cref="Redirection"/>.</summary>
internal enum RedirectionOperator
{
    /// <summary><c>&lt;</c></summary>
    Input,

    /// <summary><c>&gt;</c></summary>
    Output,

    /// <summary><c>&gt;&gt;</c></summary>
    Append,

    /// <summary><c>&gt;|</c></summary>
    Clobber,

    /// <summary><c>&lt;&gt;</c></summary>
    ReadWrite,

    /// <summary><c>&lt;&amp;</c></summary>
    DupInput,

    /// <summary><c>&gt;&amp;</c> (also <c>&gt;&amp;file</c>, which bash treats like <c>&amp;&gt;file</c>).</summary>
    DupOutput,

    /// <summary><c>&amp;&gt;</c></summary>
    OutputAndError,

    /// <summary><c>&amp;&gt;&gt;</c></summary>
    AppendOutputAndError,

    /// <summary><c>&lt;&lt;</c></summary>
    HereDoc,

    /// <summary><c>&lt;&lt;-</c> (leading tabs stripped from body lines and the delimiter line).</summary>
    HereDocStrip,

    /// <summary><c>&lt;&lt;&lt;</c></summary>
    HereString,
}

/// <summary>
/// A redirection such as <c>2&gt;&amp;1</c>, <c>{fd}&gt;file</c> or <c>&lt;&lt;EOF</c>. Its span covers the optional
/// fd prefix, the operator and the target word; a here-document body lies elsewhere (see <see cref="HereDoc"/>).
/// </summary>
internal sealed class Redirection : Node
{
    public Redirection(int? fd, string? fdVariable, RedirectionOperator op, Word? target, HereDoc? hereDoc, TextSpan span)
        : base(span)
    {
        Fd = fd;
        FdVariable = fdVariable;
        Op = op;
        Target = target;
        HereDoc = hereDoc;
    }

    /// <summary>Gets the explicit file-descriptor number written immediately before the operator (<c>2&gt;</c>).</summary>
    public int? Fd { get; }

    /// <summary>Gets the variable of a <c>{var}&gt;</c> redirection, which allocates a descriptor and stores it there.</summary>
    public string? FdVariable { get; }

    /// <summary>Gets the operator.</summary>
    public RedirectionOperator Op { get; }

    /// <summary>Gets the target word (a file, a descriptor, <c>-</c>, the here-string or the here-doc delimiter as written).</summary>
    public Word? Target { get; }

    /// <summary>Gets the here-document for <c>&lt;&lt;</c> and <c>&lt;&lt;-</c>.</summary>
    public HereDoc? HereDoc { get; private set; }

    /// <inheritdoc />
    public override IEnumerable<Node> Children
    {
        get
        {
            if (Target is not null)
            {
                yield return Target;
            }

            if (HereDoc is not null)
            {
                yield return HereDoc;
            }
        }
    }

    /// <summary>
    /// Attaches the body once it has been read: bash reads here-document bodies only after the line that holds the
    /// operator ends, which is after this node had to be built.
    /// </summary>
    internal void AttachHereDoc(HereDoc hereDoc) => HereDoc = hereDoc;
}

/// <summary>The body of a here-document.</summary>
internal sealed class HereDoc : Node
{
    public HereDoc(string delimiter, bool quoted, Word body, TextSpan bodySpan, TextSpan span)
        : base(span)
    {
        Delimiter = delimiter;
        Quoted = quoted;
        Body = body;
        BodySpan = bodySpan;
    }

    /// <summary>Gets the delimiter after quote removal.</summary>
    public string Delimiter { get; }

    /// <summary>Gets a value indicating whether any part of the delimiter was quoted, which disables expansion in the body.</summary>
    public bool Quoted { get; }

    /// <summary>
    /// Gets the body: literal text (tabs stripped for <c>&lt;&lt;-</c>) and, when the delimiter is unquoted, the
    /// parameter expansions and command substitutions bash performs on it.
    /// </summary>
    public Word Body { get; }

    /// <summary>Gets the span of the body lines, without the delimiter line.</summary>
    public TextSpan BodySpan { get; }

    /// <inheritdoc />
    public override IEnumerable<Node> Children
    {
        get { yield return Body; }
    }
}

/// <summary>
/// A variable assignment written before a command name: <c>a=1</c>, <c>a+=x</c>, <c>a[i]=v</c> or <c>a=(x y)</c>.
/// </summary>
internal sealed class Assignment : Node
{
    public Assignment(string name, Word? value, bool append, IReadOnlyList<Word>? arrayValue, TextSpan span)
        : base(span)
    {
        Name = name;
        Value = value;
        Append = append;
        ArrayValue = arrayValue;
    }

    /// <summary>Gets the variable name as written, including an index (<c>a[$i]</c>).</summary>
    public string Name { get; }

    /// <summary>Gets the scalar value (possibly an empty word), or <see langword="null"/> for an array assignment.</summary>
    public Word? Value { get; }

    /// <summary>Gets a value indicating whether the operator was <c>+=</c>.</summary>
    public bool Append { get; }

    /// <summary>Gets the elements of an array assignment <c>a=(x [k]=y)</c>.</summary>
    public IReadOnlyList<Word>? ArrayValue { get; }

    /// <summary>Gets the expansions inside the index of <see cref="Name"/> (<c>a[$(cmd)]=1</c> runs <c>cmd</c>).</summary>
    public IReadOnlyList<WordPart> Expansions { get; init; } = [];

    /// <inheritdoc />
    public override IEnumerable<Node> Children
    {
        get
        {
            foreach (var part in Expansions)
            {
                yield return part;
            }

            if (Value is not null)
            {
                yield return Value;
            }

            if (ArrayValue is not null)
            {
                foreach (var word in ArrayValue)
                {
                    yield return word;
                }
            }
        }
    }
}
