using System.Collections.Frozen;
using Guardrails.Actions;
using Guardrails.Policies;

namespace Guardrails.Classification;

/// <summary>
/// The compiled catalogs of a policy: which paths are which kind of resource, which programs belong to which class,
/// which hosts are trusted, and what the agent itself is. Immutable and thread-safe.
/// </summary>
internal sealed class Catalog
{
    private readonly ResourceMatcher[] _resources;
    private readonly FrozenDictionary<string, ulong> _programsByName;
    private readonly FrozenDictionary<string, ulong>.AlternateLookup<ReadOnlySpan<char>> _programsByNameLookup;
    private readonly (CompiledGlob Glob, ulong Mask)[] _programGlobs;
    private readonly (string Module, ulong Mask)[] _pythonModules;
    private readonly (CompiledGlob Glob, ulong Mask)[] _hostGlobs;
    private readonly FrozenDictionary<string, ulong> _hostsByName;

    // The directories above the guard catalog's locations (/var/log above /var/log/guardrails, /**/.claude above
    // /**/.claude/settings.json): deleting, moving or re-permissioning one does the same to the guard's files.
    private readonly CompiledGlob[] _guardAncestors;

    public Catalog(
        IReadOnlyList<ResourceKind> resourceKinds,
        ResourceMatcher[] resources,
        IReadOnlyList<string> programClasses,
        FrozenDictionary<string, ulong> programsByName,
        (CompiledGlob Glob, ulong Mask)[] programGlobs,
        (string Module, ulong Mask)[] pythonModules,
        IReadOnlyList<string> hostClasses,
        FrozenDictionary<string, ulong> hostsByName,
        (CompiledGlob Glob, ulong Mask)[] hostGlobs,
        IReadOnlyList<string> replicationPhrases,
        SelfModel self,
        string homeDirectory,
        bool hostAware = false)
    {
        HostAware = hostAware;
        ResourceKinds = resourceKinds;
        _resources = resources;
        ProgramClasses = programClasses;
        _programsByName = programsByName;
        _programsByNameLookup = programsByName.GetAlternateLookup<ReadOnlySpan<char>>();
        _programGlobs = programGlobs;
        _pythonModules = pythonModules;
        HostClasses = hostClasses;
        _hostsByName = hostsByName;
        _hostGlobs = hostGlobs;
        ReplicationPhrases = replicationPhrases;
        Self = self;
        HomeDirectory = homeDirectory;
        ModelWeightsBit = BitOf(ResourceKind.ModelWeights);
        AgentScaffoldBit = BitOf(ResourceKind.AgentScaffold);
        GuardBit = BitOf(ResourceKind.Guard);
        StartupBit = BitOf(ResourceKind.Startup);
        CredentialsBit = BitOf(ResourceKind.Credentials);
        ShutdownControlBit = BitOf(ResourceKind.ShutdownControl);
        SelfProcessBit = BitOf(ResourceKind.SelfProcess);
        GuardProcessBit = BitOf(ResourceKind.GuardProcess);
        SelfEndpointBit = BitOf(ResourceKind.SelfEndpoint);
        InferenceServerBit = BitOf(ResourceKind.InferenceServer);
        TransferToolBit = BitOf(ResourceKind.TransferTool);
        CloudCliBit = BitOf(ResourceKind.CloudCli);
        InferenceServerClass = ProgramClassBit("inference-server");
        TransferToolClass = ProgramClassBit("transfer-tool");
        CloudCliClass = ProgramClassBit("cloud-cli");
        SupervisorClass = ProgramClassBit("supervisor");
        ShellClass = ProgramClassBit("shell");
        _guardAncestors = GuardAncestors(resources, GuardBit, homeDirectory);
    }

    /// <summary>Gets the resource kinds in bit order.</summary>
    public IReadOnlyList<ResourceKind> ResourceKinds { get; }

    /// <summary>Gets the program class names in bit order.</summary>
    public IReadOnlyList<string> ProgramClasses { get; }

    /// <summary>Gets the host class names in bit order.</summary>
    public IReadOnlyList<string> HostClasses { get; }

    /// <summary>Gets the lower-case phrases that mark a prompt as a replication instruction.</summary>
    public IReadOnlyList<string> ReplicationPhrases { get; }

    public SelfModel Self { get; }

    /// <summary>Gets a value indicating whether classification also inspects the real filesystem (symlinks, globs, directory contents).</summary>
    public bool HostAware { get; }

    public string HomeDirectory { get; }

    public ulong ModelWeightsBit { get; }

    public ulong AgentScaffoldBit { get; }

    public ulong GuardBit { get; }

    public ulong StartupBit { get; }

    public ulong CredentialsBit { get; }

    public ulong ShutdownControlBit { get; }

    public ulong SelfProcessBit { get; }

    public ulong GuardProcessBit { get; }

    public ulong SelfEndpointBit { get; }

    public ulong InferenceServerBit { get; }

    public ulong TransferToolBit { get; }

    public ulong CloudCliBit { get; }

    public ulong InferenceServerClass { get; }

    public ulong TransferToolClass { get; }

    public ulong CloudCliClass { get; }

    public ulong SupervisorClass { get; }

    public ulong ShellClass { get; }

    /// <summary>Returns the bit of a resource kind, or 0 when no catalog defines it.</summary>
    public ulong BitOf(ResourceKind kind)
    {
        for (var i = 0; i < ResourceKinds.Count; i++)
        {
            if (ResourceKinds[i] == kind)
            {
                return 1UL << i;
            }
        }

        return 0;
    }

    /// <summary>Returns the bit of a program class, or 0 when no catalog defines it.</summary>
    public ulong ProgramClassBit(string name) => BitIn(ProgramClasses, name);

    /// <summary>Returns the bit of a host class, or 0 when no catalog defines it.</summary>
    public ulong HostClassBit(string name) => BitIn(HostClasses, name);

    private static ulong BitIn(IReadOnlyList<string> names, string name)
    {
        for (var i = 0; i < names.Count; i++)
        {
            if (string.Equals(names[i], name, StringComparison.Ordinal))
            {
                return 1UL << i;
            }
        }

        return 0;
    }

    /// <summary>
    /// Classifies a normalized path. With <paramref name="containing"/> set, a directory that contains a catalogued
    /// location (for example <c>/opt</c> when the agent lives in <c>/opt/agent</c>) counts as that location: copying
    /// it copies them.
    /// </summary>
    public ulong ClassifyPath(string path, bool containing, out bool self) => ClassifyPath(path, containing, containing, out self);

    /// <summary>
    /// Classifies a normalized path; <paramref name="containingSelf"/> applies the "directory that contains it" test to
    /// the <c>self</c> directories only, <paramref name="containingCatalogs"/> to the catalogs' locations as well.
    /// </summary>
    public ulong ClassifyPath(string path, bool containingCatalogs, bool containingSelf, out bool self)
    {
        var mask = ClassifyLexically(path, containingCatalogs, containingSelf, out self);
        if (!HostAware || !path.StartsWith('/'))
        {
            return mask;
        }

        // Host-aware: the path as the filesystem resolves it, what a glob expands to, and what a directory holds.
        var real = HostInspector.RealPath(path);
        if (!string.Equals(real, path, StringComparison.Ordinal))
        {
            mask |= ClassifyLexically(real, containingCatalogs, containingSelf, out var realSelf);
            self |= realSelf;
        }

        if (path.AsSpan().IndexOfAny("*?[") >= 0)
        {
            foreach (var match in HostInspector.ExpandGlob(path))
            {
                mask |= ClassifyLexically(HostInspector.RealPath(match), containingCatalogs, containingSelf, out var matchSelf);
                self |= matchSelf;
            }
        }

        if (containingCatalogs && (mask & ModelWeightsBit) == 0 && ModelWeightsBit != 0
            && HostInspector.ContainsFile(real, file => (ClassifyLexically(file, false, false, out _) & ModelWeightsBit) != 0))
        {
            mask |= ModelWeightsBit;
        }

        return mask;
    }

    private ulong ClassifyLexically(string path, bool containingCatalogs, bool containingSelf, out bool self)
    {
        var containing = containingCatalogs;
        self = false;
        if (string.IsNullOrEmpty(path))
        {
            return 0;
        }

        // A home directory (or an ancestor of it) contains the user's caches and dotfiles; treating every copy or push of
        // it as a copy of what the catalogs list there would flag ordinary backups and `git push` from ~. The agent's own
        // directories (self) still count, below.
        if (containing && PathNormalizer.IsAtOrBelow(HomeDirectory, path))
        {
            containing = false;
        }

        ulong mask = 0;
        foreach (var matcher in _resources)
        {
            if (matcher.Matches(path, containing))
            {
                mask |= matcher.Bit;
            }
        }

        if (MatchesAny(Self.AgentDirectories, path, containingSelf))
        {
            mask |= AgentScaffoldBit;
            self = true;
        }

        if (MatchesAny(Self.ModelDirectories, path, containingSelf))
        {
            mask |= ModelWeightsBit;
            self = true;
        }

        if (MatchesAny(Self.GuardPaths, path, containingSelf))
        {
            mask |= GuardBit;
        }

        return mask;
    }

    private static bool MatchesAny(IReadOnlyList<string> directories, string path, bool containing)
    {
        foreach (var directory in directories)
        {
            if (PathNormalizer.IsAtOrBelow(path, directory) || (containing && path.StartsWith('/') && PathNormalizer.IsAtOrBelow(directory, path)))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Determines whether <paramref name="path"/> (normalized) is a directory above a location of the guard catalog, so
    /// that deleting, moving or changing the permissions of it does so to the guard's own files. Only directories that
    /// are named by a guard pattern count: an arbitrary project directory that might hold a <c>.claude</c> folder does not.
    /// </summary>
    public bool HoldsGuardLocation(string path)
    {
        foreach (var glob in _guardAncestors)
        {
            if (glob.IsMatch(path))
            {
                return true;
            }
        }

        return false;
    }

    // A home directory (and what is above it, and the /home of "any user's") holds the guard's dotfiles, but also
    // everything else: a find -delete or chgrp -R there is ordinary housekeeping, whose reach the analysis cannot narrow
    // to the files it names. Only the directories the guard's locations are specifically in count.
    private static CompiledGlob[] GuardAncestors(ResourceMatcher[] resources, ulong guardBit, string home)
    {
        var prefixes = new HashSet<string>(StringComparer.Ordinal);
        foreach (var matcher in resources)
        {
            if (guardBit == 0 || (matcher.Bit & guardBit) == 0)
            {
                continue;
            }

            foreach (var glob in matcher.Paths)
            {
                var segments = glob.Pattern.Split('/', StringSplitOptions.RemoveEmptyEntries);
                for (var k = 1; k < segments.Length; k++)
                {
                    // A prefix that ends in a wildcard segment (/home/*, /**) would name every directory there.
                    var prefix = (glob.Pattern.StartsWith('/') ? "/" : string.Empty) + string.Join('/', segments, 0, k);
                    if (Glob.IndexOfWildcard(segments[k - 1]) < 0 && Glob.IndexOfWildcard(segments[k]) < 0
                        && !PathNormalizer.IsAtOrBelow(home, prefix) && prefix != "/root")
                    {
                        prefixes.Add(prefix);
                    }
                }
            }
        }

        return [.. prefixes.Order(StringComparer.Ordinal).Select(Glob.Compile)];
    }

    /// <summary>Returns the program classes a program name (without directories) belongs to.</summary>
    public ulong ClassifyProgram(string programName)
    {
        if (string.IsNullOrEmpty(programName))
        {
            return 0;
        }

        _programsByName.TryGetValue(programName, out var mask);
        foreach (var (glob, globMask) in _programGlobs)
        {
            if ((mask & globMask) != globMask && glob.IsMatch(programName))
            {
                mask |= globMask;
            }
        }

        return mask;
    }

    /// <summary>Returns the program classes of <paramref name="programName"/> followed by a space and <paramref name="operand"/> (<c>vllm serve</c>).</summary>
    public ulong ClassifyProgramAndOperand(string programName, string operand)
    {
        var length = programName.Length + 1 + operand.Length;
        Span<char> buffer = length <= 256 ? stackalloc char[length] : new char[length];
        programName.AsSpan().CopyTo(buffer);
        buffer[programName.Length] = ' ';
        operand.AsSpan().CopyTo(buffer[(programName.Length + 1)..]);
        return ClassifyProgram(buffer);
    }

    private ulong ClassifyProgram(ReadOnlySpan<char> programName)
    {
        _programsByNameLookup.TryGetValue(programName, out var mask);
        foreach (var (glob, globMask) in _programGlobs)
        {
            if ((mask & globMask) != globMask && glob.IsMatch(programName))
            {
                mask |= globMask;
            }
        }

        return mask;
    }

    /// <summary>Returns the program classes that <c>python -m <paramref name="module"/></c> belongs to.</summary>
    public ulong ClassifyPythonModule(string module)
    {
        ulong mask = 0;
        foreach (var (name, moduleMask) in _pythonModules)
        {
            if (module.StartsWith(name, StringComparison.Ordinal) && (module.Length == name.Length || module[name.Length] == '.'))
            {
                mask |= moduleMask;
            }
        }

        return mask;
    }

    /// <summary>Returns the host classes a host name belongs to.</summary>
    public ulong ClassifyHost(string host)
    {
        if (string.IsNullOrEmpty(host))
        {
            return 0;
        }

        var lower = host.ToLowerInvariant();
        _hostsByName.TryGetValue(lower, out var mask);
        foreach (var (glob, globMask) in _hostGlobs)
        {
            if ((mask & globMask) != globMask && glob.IsMatch(lower))
            {
                mask |= globMask;
            }
        }

        return mask;
    }

    /// <summary>Normalizes a path against a working directory and this catalog's home directory.</summary>
    public string Normalize(string path, string? workingDirectory) => PathNormalizer.Normalize(path, workingDirectory, HomeDirectory);
}

/// <summary>Recognises the files of one resource kind.</summary>
internal sealed class ResourceMatcher
{
    public required ulong Bit { get; init; }

    public required CompiledGlob[] Paths
    {
        get;
        init
        {
            field = value;
            _paths = new GlobSet(value);
        }
    }

    /// <summary>The literal directory prefixes of <see cref="Paths"/>, for the "directory containing it" test.</summary>
    public required string[] PathRoots
    {
        get;
        init
        {
            field = value;
            _sortedRoots = [.. value.Where(r => r.Length > 1).Order(StringComparer.Ordinal)];
        }
    }

    public required string[] Extensions { get; init; }

    public required CompiledGlob[] Names { get; init; }

    public required string[] ContextExtensions { get; init; }

    public required CompiledGlob[] ContextDirectories { get; init; }

    private GlobSet _paths = null!;
    private string[] _sortedRoots = [];

    public bool Matches(string path, bool containing)
    {
        if (_paths.IsMatch(path))
        {
            return true;
        }

        if (containing && path.StartsWith('/') && ContainsRoot(path))
        {
            return true;
        }

        var name = PathNormalizer.FileName(path);
        foreach (var extension in Extensions)
        {
            if (name.EndsWith(extension, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        foreach (var glob in Names)
        {
            if (glob.IsMatch(name))
            {
                return true;
            }
        }

        if (ContextExtensions.Length > 0)
        {
            foreach (var extension in ContextExtensions)
            {
                if (name.EndsWith(extension, StringComparison.OrdinalIgnoreCase))
                {
                    return InContextDirectory(path);
                }
            }
        }

        return false;
    }

    /// <summary>Determines whether a root equals <paramref name="directory"/> or lies below it: the roots that start with it are adjacent in ordinal order.</summary>
    private bool ContainsRoot(string directory)
    {
        if (directory == "/")
        {
            return _sortedRoots.Length > 0 && _sortedRoots.Any(r => r.StartsWith('/'));
        }

        var index = Array.BinarySearch(_sortedRoots, directory, StringComparer.Ordinal);
        for (var i = index >= 0 ? index : ~index; i < _sortedRoots.Length && _sortedRoots[i].StartsWith(directory, StringComparison.Ordinal); i++)
        {
            if (PathNormalizer.IsAtOrBelow(_sortedRoots[i], directory))
            {
                return true;
            }
        }

        return false;
    }

    private bool InContextDirectory(string path)
    {
        var span = path.AsSpan();
        var end = span.LastIndexOf('/');
        while (end > 0)
        {
            var start = span[..end].LastIndexOf('/');
            var segment = span[(start + 1)..end];
            foreach (var glob in ContextDirectories)
            {
                if (glob.IsMatch(segment))
                {
                    return true;
                }
            }

            end = start;
        }

        return false;
    }
}
