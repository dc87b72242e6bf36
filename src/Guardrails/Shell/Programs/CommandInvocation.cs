using Guardrails.Interpreters;

namespace Guardrails.Shell.Programs;

/// <summary>
/// One resolved command about to run: the program and its arguments after quote removal and static expansion, with
/// the span of each in the original tool-call argument, and how it was reached.
/// </summary>
internal sealed class CommandInvocation
{
    /// <summary>Gets the program as written (a name or a path), after quote removal (<c>\cp</c>, <c>c''p</c> → <c>cp</c>).</summary>
    public required string Program { get; init; }

    /// <summary>Gets the arguments after the program.</summary>
    public required IReadOnlyList<string> Arguments { get; init; }

    /// <summary>Gets the span of each argument (same length as <see cref="Arguments"/>).</summary>
    public required IReadOnlyList<TextSpan> ArgumentSpans { get; init; }

    /// <summary>Gets the span of the whole command (program through last argument and redirections).</summary>
    public required TextSpan Span { get; init; }

    /// <summary>Gets the span of the program word.</summary>
    public TextSpan ProgramSpan { get; init; }

    /// <summary>Gets the tool-call argument the spans refer to (for example <c>command</c>).</summary>
    public required string Source { get; init; }

    /// <summary>Gets the working directory, when known (absolute).</summary>
    public string? WorkingDirectory { get; init; }

    /// <summary>Gets a value indicating whether the command is detached from the agent (trailing <c>&amp;</c>, nohup, setsid …).</summary>
    public bool Detached { get; init; }

    /// <summary>Gets what detached it, when <see cref="Detached"/>.</summary>
    public string? DetachedBy { get; init; }

    /// <summary>Gets how the command was reached (wrappers and inline code, for example <c>sudo → bash -c</c>), or <see langword="null"/>.</summary>
    public string? Via { get; init; }

    /// <summary>Gets the nesting depth of inline code (0 for the top-level command).</summary>
    public int Depth { get; init; }

    /// <summary>Gets the file standard input is redirected from (<c>&lt; file</c>), normalized, when statically known.</summary>
    public string? StdinFile { get; init; }

    /// <summary>Gets the literal text piped or redirected into standard input (here-doc, here-string, <c>echo … |</c>), when statically known.</summary>
    public string? StdinText { get; init; }

    /// <summary>Gets a value indicating whether standard input comes from a pipe whose content is not statically known.</summary>
    public bool StdinFromPipe { get; init; }

    /// <summary>
    /// Gets the commands (their expanded words, stages joined by <c>|</c>) whose output is piped into standard input when
    /// that output is not statically known, for example <c>pgrep guardrails</c> in <c>pgrep guardrails | xargs kill</c>.
    /// </summary>
    public string? StdinPipedFrom { get; init; }

    /// <summary>Gets a value indicating whether standard output goes into a pipe (so a <c>-</c> output means "to the next command").</summary>
    public bool StdoutToPipe { get; init; }

    /// <summary>Gets the file standard output is redirected to (<c>&gt; file</c>, <c>&gt;&gt; file</c>), normalized, when its name is written literally.</summary>
    public string? StdoutFile { get; init; }

    /// <summary>
    /// Gets the text of the commands that follow this one in the tool call's top-level script, when this command reads
    /// the terminal (no pipe or redirection on its standard input). Typed into a terminal, or read by a shell from
    /// standard input, those lines are this program's input (<c>ftp host⏎put file</c>); run with <c>bash -c</c>, they
    /// are commands. Both readings are analysed. Empty when there is nothing after it.
    /// </summary>
    public ReadOnlyMemory<char> TypeAhead { get; init; }
}

/// <summary>
/// What program semantics may ask of the surrounding analyzer: normalize paths, and analyse inline code recursively
/// (<c>bash -c</c>, <c>python -c</c>, <c>ssh host CMD</c>, <c>find -exec</c>, wrappers). Implemented by the shell analyzer.
/// </summary>
internal interface IInvocationHost
{
    /// <summary>Gets the sink operations go to.</summary>
    OperationSink Sink { get; }

    /// <summary>Normalizes a path argument against the invocation's working directory (handles <c>~</c>, <c>..</c>, <c>/proc/self/root</c>).</summary>
    string NormalizePath(string path, CommandInvocation invocation);

    /// <summary>Analyses shell code (the argument of <c>bash -c</c>, <c>ssh host CMD</c>, <c>su -c</c>, …) as if it ran here.</summary>
    /// <param name="code">The code.</param>
    /// <param name="span">Where the code lies in the original argument (used for every operation derived from it).</param>
    /// <param name="invocation">The invocation that runs it (for source, working directory, depth and detachment).</param>
    /// <param name="via">How it is reached, for example <c>bash -c</c>.</param>
    void AnalyzeShell(string code, TextSpan span, CommandInvocation invocation, string via);

    /// <summary>Analyses Python code (the argument of <c>python -c</c>).</summary>
    void AnalyzePython(string code, TextSpan span, CommandInvocation invocation, string via);

    /// <summary>Analyses a nested command given as an argument vector (wrappers such as <c>sudo</c>, <c>nohup</c>, <c>xargs</c>, <c>find -exec</c>).</summary>
    /// <param name="inner">The inner command; its spans must be spans of the original argument.</param>
    void AnalyzeInvocation(CommandInvocation inner);
}
