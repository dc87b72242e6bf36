namespace Guardrails.Actions;

/// <summary>
/// Describes one concrete action that a tool call would perform, derived by an interpreter before anything executes.
/// </summary>
/// <remarks>
/// Operations are immutable. Paths are absolute and normalized when the interpreter could resolve them against the
/// tool call's working directory; otherwise they are kept as written. <see cref="Span"/> points into the tool-call
/// argument named by <see cref="Source"/>.
/// </remarks>
public abstract record Operation
{
    /// <summary>Gets the type of the operation.</summary>
    public abstract OperationKind Kind { get; }

    /// <summary>Gets the name of the tool-call argument the operation was derived from, for example <c>command</c>.</summary>
    public string Source { get; init; } = string.Empty;

    /// <summary>Gets the span of <see cref="Source"/> that the operation was derived from.</summary>
    public TextSpan Span { get; init; }

    /// <summary>Gets how the operation was reached when it was hidden behind wrappers or inline code, for example <c>bash -c</c>; otherwise <see langword="null"/>.</summary>
    public string? Via { get; init; }
}

/// <summary>Describes a program being started.</summary>
/// <param name="Program">The program as it will be looked up or executed (a name such as <c>vllm</c> or a path such as <c>/opt/agent/start.py</c>).</param>
/// <param name="Arguments">The arguments after the program name, after quote removal.</param>
public sealed record ProcessLaunch(string Program, IReadOnlyList<string> Arguments) : Operation
{
    /// <inheritdoc />
    public override OperationKind Kind => OperationKind.ProcessLaunch;

    /// <summary>Gets the program's file name without directories, for example <c>vllm</c> for <c>/usr/bin/vllm</c>.</summary>
    public string ProgramName => Path.GetFileName(Program.AsSpan().TrimEnd('/')).ToString();

    /// <summary>Gets a value indicating whether the process escapes the agent's process tree or lifetime.</summary>
    public bool Detached { get; init; }

    /// <summary>Gets what detached the process (for example <c>nohup</c>, <c>setsid</c> or <c>&amp;</c>), when <see cref="Detached"/> is set.</summary>
    public string? DetachedBy { get; init; }

    /// <summary>Gets the script or module the program runs, resolved to an absolute path when possible (for example the <c>start.py</c> of <c>python3 start.py</c>).</summary>
    public string? Script { get; init; }

    /// <summary>Gets the module an interpreter runs, for example <c>vllm.entrypoints.openai.api_server</c> for <c>python -m …</c>.</summary>
    public string? Module { get; init; }

    /// <summary>Gets the working directory the process starts in, when known.</summary>
    public string? WorkingDirectory { get; init; }
}

/// <summary>Identifies what a <see cref="FileOperation"/> does.</summary>
public enum FileAction
{
    /// <summary>The file or directory is read.</summary>
    Read,

    /// <summary>The file is created or overwritten.</summary>
    Write,

    /// <summary>Content is appended to the file.</summary>
    Append,

    /// <summary>Sources are copied (or archived) into <see cref="FileOperation.Path"/>.</summary>
    Copy,

    /// <summary>Sources are moved to <see cref="FileOperation.Path"/>.</summary>
    Move,

    /// <summary>The file is deleted or truncated.</summary>
    Delete,

    /// <summary><see cref="FileOperation.Path"/> becomes a link to the sources.</summary>
    Link,

    /// <summary>Permissions, ownership or attributes of the file change.</summary>
    PermissionChange,
}

/// <summary>Describes an action on files.</summary>
/// <param name="Action">What is done.</param>
/// <param name="Path">The file acted on; for copies, moves and links, the destination.</param>
public sealed record FileOperation(FileAction Action, string Path) : Operation
{
    /// <inheritdoc />
    public override OperationKind Kind => Action switch
    {
        FileAction.Read => OperationKind.FileRead,
        FileAction.Write => OperationKind.FileWrite,
        FileAction.Append => OperationKind.FileAppend,
        FileAction.Copy => OperationKind.FileCopy,
        FileAction.Move => OperationKind.FileMove,
        FileAction.Delete => OperationKind.FileDelete,
        FileAction.Link => OperationKind.FileLink,
        _ => OperationKind.FilePermissionChange,
    };

    /// <summary>Gets the source files of a copy, move, archive or link; empty for other actions.</summary>
    public IReadOnlyList<string> Sources { get; init; } = [];

    /// <summary>Gets a value indicating whether directories are processed recursively.</summary>
    public bool Recursive { get; init; }

    /// <summary>Gets a value indicating whether the copy packs the sources into an archive.</summary>
    public bool Archive { get; init; }

    /// <summary>Gets the content being written, when it is known statically.</summary>
    public string? Content { get; init; }

    /// <summary>Gets the program or tool that performs the action, for example <c>cp</c> or <c>write_file</c>.</summary>
    public string? Program { get; init; }
}

/// <summary>Identifies the direction of a <see cref="NetworkTransfer"/>.</summary>
public enum TransferDirection
{
    /// <summary>The direction could not be determined.</summary>
    Unknown,

    /// <summary>Local data is sent to a remote host.</summary>
    Upload,

    /// <summary>Remote data is fetched to this host.</summary>
    Download,
}

/// <summary>Describes data moving between this host and another.</summary>
/// <param name="Direction">Whether data leaves or arrives.</param>
/// <param name="Program">The program that transfers, for example <c>scp</c>.</param>
public sealed record NetworkTransfer(TransferDirection Direction, string Program) : Operation
{
    /// <inheritdoc />
    public override OperationKind Kind => OperationKind.NetworkTransfer;

    /// <summary>Gets the remote host, when known.</summary>
    public string? Host { get; init; }

    /// <summary>Gets the remote port, when known.</summary>
    public int? Port { get; init; }

    /// <summary>Gets the local files sent (uploads) or written (downloads).</summary>
    public IReadOnlyList<string> LocalPaths { get; init; } = [];

    /// <summary>Gets the remote location as written (URL, <c>host:path</c> or bucket path), when known.</summary>
    public string? Remote { get; init; }
}

/// <summary>Describes a program that will accept network connections.</summary>
/// <param name="Program">The program that listens.</param>
public sealed record NetworkListen(string Program) : Operation
{
    /// <inheritdoc />
    public override OperationKind Kind => OperationKind.NetworkListen;

    /// <summary>Gets the port, when known.</summary>
    public int? Port { get; init; }

    /// <summary>Gets the address bound, when known.</summary>
    public string? Host { get; init; }
}

/// <summary>Describes a signal sent to processes.</summary>
/// <param name="Signal">The signal name as written, or <c>TERM</c> when none was given.</param>
/// <param name="Targets">Process ids, names or patterns targeted.</param>
public sealed record SignalSend(string Signal, IReadOnlyList<string> Targets) : Operation
{
    /// <inheritdoc />
    public override OperationKind Kind => OperationKind.SignalSend;

    /// <summary>Gets the program that sends the signal, for example <c>pkill</c>.</summary>
    public string? Program { get; init; }
}

/// <summary>Describes a signal handler being installed, or signals being ignored.</summary>
/// <param name="Signals">The signals trapped.</param>
/// <param name="Handler">The handler code; empty when the signals are ignored; <see langword="null"/> when reset to the default.</param>
public sealed record SignalTrap(IReadOnlyList<string> Signals, string? Handler) : Operation
{
    /// <inheritdoc />
    public override OperationKind Kind => OperationKind.SignalTrap;
}

/// <summary>Describes a scheduled task, service or start-up entry being created.</summary>
/// <param name="Mechanism">The mechanism, for example <c>cron</c>, <c>at</c>, <c>systemd</c>, <c>launchd</c> or <c>schtasks</c>.</param>
public sealed record ScheduledTask(string Mechanism) : Operation
{
    /// <inheritdoc />
    public override OperationKind Kind => OperationKind.ScheduledTask;

    /// <summary>Gets the command that will run, when known.</summary>
    public string? Command { get; init; }

    /// <summary>Gets the file that defines the entry, when known.</summary>
    public string? Path { get; init; }
}

/// <summary>Describes a command run on another host, container or pod.</summary>
/// <param name="Transport">How it is reached, for example <c>ssh</c>, <c>docker exec</c> or <c>kubectl exec</c>.</param>
/// <param name="Host">The host, container or pod.</param>
public sealed record RemoteExecution(string Transport, string Host) : Operation
{
    /// <inheritdoc />
    public override OperationKind Kind => OperationKind.RemoteExecution;

    /// <summary>Gets the remote command, when given.</summary>
    public string? Command { get; init; }
}

/// <summary>Describes compute being created, started or scaled.</summary>
/// <param name="Provider">The provider or tool, for example <c>aws</c>, <c>gcloud</c>, <c>kubectl</c> or <c>terraform</c>.</param>
/// <param name="Action">The action, for example <c>ec2 run-instances</c>.</param>
public sealed record ComputeProvision(string Provider, string Action) : Operation
{
    /// <inheritdoc />
    public override OperationKind Kind => OperationKind.ComputeProvision;

    /// <summary>Gets the image, model or workload the compute runs, when known.</summary>
    public string? Workload { get; init; }
}

/// <summary>Describes an HTTP request.</summary>
/// <param name="Method">The HTTP method in upper case.</param>
/// <param name="Url">The URL as given.</param>
public sealed record HttpRequestOperation(string Method, string Url) : Operation
{
    /// <inheritdoc />
    public override OperationKind Kind => OperationKind.HttpRequest;

    /// <summary>Gets the host, when the URL could be parsed.</summary>
    public string? Host { get; init; }

    /// <summary>Gets the port (explicit or the scheme default), when the URL could be parsed.</summary>
    public int? Port { get; init; }

    /// <summary>Gets the URL path, when the URL could be parsed.</summary>
    public string? PathAndQuery { get; init; }

    /// <summary>Gets the request body, when known.</summary>
    public string? Body { get; init; }

    /// <summary>Gets local files whose content is sent with the request.</summary>
    public IReadOnlyList<string> UploadedFiles { get; init; } = [];
}

/// <summary>Describes an environment variable being set or removed.</summary>
/// <param name="Name">The variable name.</param>
/// <param name="Value">The new value, or <see langword="null"/> when the variable is removed.</param>
public sealed record EnvironmentChange(string Name, string? Value) : Operation
{
    /// <inheritdoc />
    public override OperationKind Kind => OperationKind.EnvironmentChange;
}

/// <summary>Describes code that will run but that the analysis could not resolve; a risk signal on its own.</summary>
/// <param name="Language">The language, for example <c>shell</c> or <c>python</c>.</param>
/// <param name="Reason">Why the code could not be resolved.</param>
public sealed record OpaqueCode(string Language, string Reason) : Operation
{
    /// <inheritdoc />
    public override OperationKind Kind => OperationKind.OpaqueCode;
}
