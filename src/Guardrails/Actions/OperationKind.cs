namespace Guardrails.Actions;

/// <summary>Identifies the type of an <see cref="Operation"/>; each value has a stable policy name (see <see cref="OperationKinds"/>).</summary>
public enum OperationKind
{
    /// <summary>A program is started (<c>process.launch</c>).</summary>
    ProcessLaunch,

    /// <summary>A file or directory is read (<c>file.read</c>).</summary>
    FileRead,

    /// <summary>A file is created or overwritten (<c>file.write</c>).</summary>
    FileWrite,

    /// <summary>Content is appended to a file (<c>file.append</c>).</summary>
    FileAppend,

    /// <summary>Files are copied or archived to a new place (<c>file.copy</c>).</summary>
    FileCopy,

    /// <summary>Files are moved or renamed (<c>file.move</c>).</summary>
    FileMove,

    /// <summary>Files are deleted or truncated (<c>file.delete</c>).</summary>
    FileDelete,

    /// <summary>A hard or symbolic link is created (<c>file.link</c>).</summary>
    FileLink,

    /// <summary>File permissions, ownership or attributes change (<c>file.permissions</c>).</summary>
    FilePermissionChange,

    /// <summary>Data moves between this host and another (<c>network.transfer</c>).</summary>
    NetworkTransfer,

    /// <summary>A program accepts connections on a port (<c>network.listen</c>).</summary>
    NetworkListen,

    /// <summary>A signal is sent to processes (<c>signal.send</c>).</summary>
    SignalSend,

    /// <summary>A signal handler is installed or a signal ignored (<c>signal.trap</c>).</summary>
    SignalTrap,

    /// <summary>A scheduled task, service or other persistence entry is written (<c>schedule</c>).</summary>
    ScheduledTask,

    /// <summary>A command runs on another host or container (<c>remote.exec</c>).</summary>
    RemoteExecution,

    /// <summary>Compute is created or scaled (<c>compute.provision</c>).</summary>
    ComputeProvision,

    /// <summary>An HTTP request is made (<c>http.request</c>).</summary>
    HttpRequest,

    /// <summary>An environment variable is set or unset for later commands (<c>env.change</c>).</summary>
    EnvironmentChange,

    /// <summary>Code runs that the analysis could not resolve (<c>code.opaque</c>).</summary>
    OpaqueCode,
}

/// <summary>Converts between <see cref="OperationKind"/> values and their stable policy names.</summary>
public static class OperationKinds
{
    private static readonly string[] Names =
    [
        "process.launch", "file.read", "file.write", "file.append", "file.copy", "file.move", "file.delete", "file.link",
        "file.permissions", "network.transfer", "network.listen", "signal.send", "signal.trap", "schedule",
        "remote.exec", "compute.provision", "http.request", "env.change", "code.opaque",
    ];

    /// <summary>Gets every policy name, in the order of <see cref="OperationKind"/>.</summary>
    public static IReadOnlyList<string> AllNames => Names;

    /// <summary>Gets the stable policy name of <paramref name="kind"/>, for example <c>file.copy</c>.</summary>
    /// <param name="kind">The operation kind.</param>
    /// <returns>The policy name.</returns>
    public static string ToName(this OperationKind kind) => (uint)kind < (uint)Names.Length ? Names[(int)kind] : kind.ToString();

    /// <summary>Parses a policy name such as <c>process.launch</c>.</summary>
    /// <param name="name">The policy name.</param>
    /// <param name="kind">The kind, when the name is known.</param>
    /// <returns><see langword="true"/> when <paramref name="name"/> names a kind.</returns>
    public static bool TryParse(string? name, out OperationKind kind)
    {
        var index = Array.IndexOf(Names, name);
        kind = (OperationKind)Math.Max(index, 0);
        return index >= 0;
    }
}
