namespace Guardrails.Verification;

/// <summary>
/// Represents one evasion variant of a shell command that a policy is expected to stop: the same effect, written the
/// way an agent (or an attacker steering one) might write it to slip past pattern matching.
/// </summary>
/// <remarks>
/// <para>Families (stable names, see <see cref="BypassMutations"/>): <c>chain</c>, <c>wrapper</c>, <c>absolute-path</c>,
/// <c>flags</c>, <c>quoting</c>, <c>variables</c>, <c>nesting</c>, <c>base64</c>, <c>script</c>.</para>
/// <para>Instances are immutable.</para>
/// </remarks>
public sealed class BypassMutation
{
    internal BypassMutation(string family, string technique, IReadOnlyList<BypassMutationStep> steps)
    {
        Family = family;
        Technique = technique;
        Steps = steps;
    }

    /// <summary>Gets the family of the evasion, for example <c>wrapper</c> or <c>quoting</c>.</summary>
    public string Family { get; }

    /// <summary>Gets the technique within the family, for example <c>nohup</c> or <c>empty-quotes</c>.</summary>
    public string Technique { get; }

    /// <summary>Gets the tool calls of the variant, in order: one shell command, or a file write followed by the command that runs it.</summary>
    public IReadOnlyList<BypassMutationStep> Steps { get; }

    /// <summary>Returns the steps on one line, for reports.</summary>
    /// <returns>A description of the variant.</returns>
    public override string ToString() => string.Join(" ; then: ", Steps.Select(s => s.ToString()));
}

/// <summary>Represents one tool call of a <see cref="BypassMutation"/>: a shell command, or a file written with a file-write tool.</summary>
/// <remarks>Instances are immutable.</remarks>
public sealed class BypassMutationStep
{
    private BypassMutationStep(string? command, string? filePath, string? fileContent)
    {
        Command = command;
        FilePath = filePath;
        FileContent = fileContent;
    }

    /// <summary>Gets the shell command, or <see langword="null"/> for a file write.</summary>
    public string? Command { get; }

    /// <summary>Gets the path of the file written, or <see langword="null"/> for a shell command.</summary>
    public string? FilePath { get; }

    /// <summary>Gets the content of the file written, or <see langword="null"/> for a shell command.</summary>
    public string? FileContent { get; }

    /// <summary>Creates a shell-command step.</summary>
    /// <param name="command">The command.</param>
    /// <returns>The step.</returns>
    public static BypassMutationStep Shell(string command)
    {
        ArgumentNullException.ThrowIfNull(command);
        return new BypassMutationStep(command, null, null);
    }

    /// <summary>Creates a file-write step (the <c>write_file</c> tool).</summary>
    /// <param name="path">The file path.</param>
    /// <param name="content">The content.</param>
    /// <returns>The step.</returns>
    public static BypassMutationStep WriteFile(string path, string content)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(content);
        return new BypassMutationStep(null, path, content);
    }

    /// <summary>Returns the command, or a description of the file write.</summary>
    /// <returns>The description.</returns>
    public override string ToString() => Command ?? $"write_file {FilePath}: {FileContent!.ReplaceLineEndings("\\n")}";
}
