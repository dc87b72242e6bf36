using System.Collections.Frozen;

namespace Guardrails.Shell.Programs;

/// <summary>Turns one program's argument vector into operations.</summary>
/// <param name="context">The invocation, the host and emit helpers.</param>
internal delegate void ProgramHandler(in ProgramContext context);

/// <summary>Who emits the <see cref="Actions.ProcessLaunch"/> of an invocation.</summary>
internal enum LaunchMode : byte
{
    /// <summary><see cref="ProgramSemantics"/> emits the plain launch before calling the handler.</summary>
    Auto,

    /// <summary>The handler emits the launch itself (interpreters with a script or module, detaching programs), or none (pure wrappers).</summary>
    Manual,
}

/// <summary>One row of the program table.</summary>
/// <param name="Handler">The handler.</param>
/// <param name="Launch">Who emits the launch.</param>
/// <param name="VersionSuffix">Whether versioned names (<c>python3.11</c>, <c>perl5.36</c>) resolve to this row.</param>
internal sealed record ProgramEntry(ProgramHandler Handler, LaunchMode Launch, bool VersionSuffix = false);

/// <summary>Collects program rows from the family files.</summary>
internal sealed class ProgramTableBuilder
{
    private readonly Dictionary<string, ProgramRow> _entries = new(StringComparer.Ordinal);

    /// <summary>Adds a handler whose launch is emitted automatically, under one or more names.</summary>
    public void Add(ProgramHandler handler, params string[] names) => Add(new ProgramEntry(handler, LaunchMode.Auto), names);

    /// <summary>Adds a handler that emits its own launch (or none), under one or more names.</summary>
    public void AddManual(ProgramHandler handler, params string[] names) => Add(new ProgramEntry(handler, LaunchMode.Manual), names);

    /// <summary>Adds a row under one or more names.</summary>
    public void Add(ProgramEntry entry, params string[] names)
    {
        foreach (var name in names)
        {
            _entries[name] = new ProgramRow(name, entry);
        }
    }

    /// <summary>Freezes the table.</summary>
    public FrozenDictionary<string, ProgramRow> Build() => _entries.ToFrozenDictionary(StringComparer.Ordinal);
}

/// <summary>A table row with the name it is registered under (so a lookup by span yields the name without allocating).</summary>
/// <param name="Name">The program name.</param>
/// <param name="Entry">The semantics.</param>
internal readonly record struct ProgramRow(string Name, ProgramEntry Entry);

/// <summary>
/// The per-program semantics table: resolves a <see cref="CommandInvocation"/>'s program by file name (whatever the
/// directory) and runs the matching handler, which turns the argument vector into typed operations. Every invocation
/// that is not a pure wrapper yields one <see cref="Actions.ProcessLaunch"/>; unknown programs yield only that.
/// </summary>
internal static class ProgramSemantics
{
    /// <summary>How deeply wrappers may nest (<c>sudo nohup timeout 5 …</c>) before the rest is reported as opaque.</summary>
    public const int MaxNesting = 48;

    private static readonly FrozenDictionary<string, ProgramRow> s_table = BuildTable();
    private static readonly FrozenDictionary<string, ProgramRow>.AlternateLookup<ReadOnlySpan<char>> s_lookup =
        s_table.GetAlternateLookup<ReadOnlySpan<char>>();

    [ThreadStatic]
    private static int t_nesting;

    /// <summary>Gets the names of every program with specific semantics.</summary>
    public static IEnumerable<string> KnownPrograms => s_table.Keys;

    /// <summary>Derives the operations of <paramref name="invocation"/> into <paramref name="host"/>'s sink.</summary>
    public static void Analyze(CommandInvocation invocation, IInvocationHost host)
    {
        ArgumentNullException.ThrowIfNull(invocation);
        ArgumentNullException.ThrowIfNull(host);

        var name = Resolve(invocation.Program, out var entry);
        var context = new ProgramContext(invocation, host, name);
        if (t_nesting >= MaxNesting)
        {
            context.Opaque("shell", "commands are nested too deeply through wrappers; the rest was not analysed", invocation.Span);
            return;
        }

        if (entry is null)
        {
            context.Launch();
            return;
        }

        t_nesting++;
        try
        {
            if (entry.Launch == LaunchMode.Auto)
            {
                context.Launch();
            }

            entry.Handler(in context);
        }
        catch (Exception ex) when (ex is ArgumentException or IndexOutOfRangeException or InvalidOperationException or FormatException or OverflowException)
        {
            // A handler bug must never turn into an allow: record that the arguments were not understood.
            context.Opaque("shell", $"the arguments of {name} could not be analysed", invocation.Span);
        }
        finally
        {
            t_nesting--;
        }
    }

    /// <summary>
    /// Resolves a program as written (<c>/usr/bin/scp</c>, <c>./cp</c>, <c>python3.11</c>) to its name (the table key, or
    /// the file name for versioned interpreters and unknown programs) and its row.
    /// </summary>
    internal static string Resolve(string program, out ProgramEntry? entry)
    {
        var file = FileName(program);
        if (s_lookup.TryGetValue(file, out var row))
        {
            entry = row.Entry;
            return row.Name;
        }

        // Versioned interpreters: python3.11, pypy3.10, perl5.36, ruby3.2, lua5.4, php8.2, node18.
        var trimmed = file.TrimEnd("0123456789.");
        if (trimmed.EndsWith('-'))
        {
            trimmed = trimmed[..^1];
        }

        if (trimmed.Length > 0 && trimmed.Length < file.Length && s_lookup.TryGetValue(trimmed, out var versioned) && versioned.Entry.VersionSuffix)
        {
            entry = versioned.Entry;
            return file.Length == program.Length ? program : file.ToString();
        }

        entry = null;
        return file.Length == program.Length ? program : file.ToString();
    }

    private static ReadOnlySpan<char> FileName(string program)
    {
        var span = program.AsSpan().TrimEnd('/');
        var slash = span.LastIndexOfAny('/', '\\');
        if (slash >= 0)
        {
            span = span[(slash + 1)..];
        }

        if (span.EndsWith(".exe", StringComparison.OrdinalIgnoreCase))
        {
            span = span[..^4];
        }

        return span;
    }

    private static FrozenDictionary<string, ProgramRow> BuildTable()
    {
        var builder = new ProgramTableBuilder();
        FileTools.Register(builder);
        TransferTools.Register(builder);
        CloudClis.Register(builder);
        ProcessTools.Register(builder);
        Schedulers.Register(builder);
        Containers.Register(builder);
        Interpreters.Register(builder);
        Wrappers.Register(builder);
        NetworkClients.Register(builder);
        SystemTools.Register(builder);
        return builder.Build();
    }
}
