using Guardrails.Actions;

namespace Guardrails.Classification;

/// <summary>
/// What the catalogs say about one operation, in the compact form rule conditions test: bit masks for capabilities,
/// resource kinds, program classes and host classes, plus the few scalar attributes conditions look at.
/// </summary>
internal sealed class OperationFacts
{
    public required Operation Operation { get; init; }

    public ulong Capabilities { get; set; }

    public ulong Resources { get; set; }

    public ulong ProgramClasses { get; set; }

    public ulong HostClasses { get; set; }

    /// <summary>Gets or sets a value indicating whether the operation touches the agent itself (its directories, processes or endpoints).</summary>
    public bool Self { get; set; }

    public string? ProgramName { get; set; }

    public string? Host { get; set; }

    public int? Port { get; set; }

    public bool Detached { get; set; }

    public TransferDirection Direction { get; set; }

    /// <summary>Gets the normalized paths the operation names (targets, sources, scripts, uploaded files).</summary>
    public List<string> Paths { get; } = [];

    /// <summary>Gets or sets the text argument-pattern conditions run against (for a process: program and arguments joined by spaces).</summary>
    /// <remarks>A process's text is only joined when a rule asks for it: most operations meet no argument pattern.</remarks>
    public string ArgumentText
    {
        get => field ??= Operation is Actions.ProcessLaunch launch ? JoinArguments(launch) : string.Empty;
        set;
    }

    private static string JoinArguments(Actions.ProcessLaunch launch) =>
        launch.Arguments.Count == 0 ? launch.Program : launch.Program + " " + string.Join(' ', launch.Arguments);

    /// <summary>Gets or sets the working directory of the call (normalized), when known.</summary>
    public string? WorkingDirectory { get; set; }

    /// <summary>Gets or sets the tool name of the call the operation came from.</summary>
    public string ToolName { get; set; } = string.Empty;

    /// <summary>Gets or sets the session history the call is decided with, or <see langword="null"/> for a call without a session.</summary>
    public Sessions.SessionView? Session { get; set; }
}
