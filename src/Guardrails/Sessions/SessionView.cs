using System.Globalization;
using Guardrails.Actions;
using Guardrails.Classification;
using Guardrails.Evaluation;
using Guardrails.Interpreters;

namespace Guardrails.Sessions;

/// <summary>
/// A session as one decision sees it: answers the policy's sequence conditions, adds what earlier calls revealed to the
/// classification of this call's operations (taint), and afterwards records this call. Created and used only while the
/// guard holds the session's lock.
/// </summary>
internal sealed class SessionView
{
    // Directories a copy is usually made *into* rather than *as*: `cp -r /models/q /tmp` creates /tmp/q, not a tainted /tmp.
    private static readonly HashSet<string> ContainerDirectories = new(StringComparer.Ordinal)
    {
        "/", "/tmp", "/var/tmp", "/dev/shm", "/home", "/root", "/opt", "/srv", "/mnt", "/media", "/data", "/workspace", "/usr/local", "/var", "/usr",
    };

    public SessionView(SessionState state, CompiledPolicy policy, DateTimeOffset now)
    {
        State = state;
        Policy = policy;
        Now = now;
    }

    public SessionState State { get; }

    public CompiledPolicy Policy { get; }

    public DateTimeOffset Now { get; }

    private Catalog Catalog => Policy.Catalog;

    /// <summary>Counts the earlier occurrences of a history slot (see <see cref="CompiledHistory"/>).</summary>
    public int Count(int slot, int within, int atLeast) => State.Count(slot, within);

    /// <summary>Finds a file this session wrote earlier.</summary>
    public TrackedFile? FindFile(string path) => State.Files.TryGetValue(path, out var file) ? file : null;

    /// <summary>
    /// Adds what the session knows to the classification of one operation of the current call: a copy of weights (or of
    /// the agent) stays weights at its new path, code started from such a copy is a replica, and a request to a port the
    /// agent started a server on reaches that server.
    /// </summary>
    public void Augment(OperationFacts facts)
    {
        switch (facts.Operation)
        {
            case FileOperation file:
                AugmentFile(file, facts);
                break;
            case NetworkTransfer transfer when transfer.Direction != TransferDirection.Download:
                foreach (var path in transfer.LocalPaths)
                {
                    AddSent(State.Lookup(path, containing: true, Catalog.HomeDirectory), facts);
                }

                break;
            case HttpRequestOperation http:
                foreach (var path in http.UploadedFiles)
                {
                    AddSent(State.Lookup(path, containing: true, Catalog.HomeDirectory), facts);
                }

                AugmentRequest(http, facts);
                break;
            case ProcessLaunch launch:
                AugmentLaunch(launch, facts);
                break;
        }
    }

    /// <summary>Records the current call: counts it for the sequence conditions and derives the facts later calls are judged with.</summary>
    public void Record(IReadOnlyList<OperationFacts> all, InterpreterKind interpreter)
    {
        var stored = all.Count <= SessionState.MaxFactsPerEntry ? [.. all] : all.Take(SessionState.MaxFactsPerEntry).ToArray();
        foreach (var facts in all)
        {
            facts.Session = null; // the entry outlives this view
        }

        var entry = State.AddEntry(Now, stored, notice: null);
        var matched = new List<int>();
        foreach (var facts in all)
        {
            matched.Clear();
            Policy.Session.MatchOperation(facts, matched);
            foreach (var slot in matched)
            {
                State.AddOccurrence(slot, entry);
            }
        }

        var replica = false;
        foreach (var facts in all)
        {
            replica |= (facts.Capabilities & CapabilityBits.ReplicaLaunch) != 0;
        }

        foreach (var facts in all)
        {
            switch (facts.Operation)
            {
                case FileOperation file:
                    RecordFile(file, facts, interpreter, entry.Id);
                    break;
                case NetworkTransfer { Direction: TransferDirection.Download } download:
                    foreach (var path in download.LocalPaths)
                    {
                        State.Track(path, content: null, downloaded: true, entry.Id, Now);
                    }

                    break;
                case ProcessLaunch launch when PortOf(launch.Arguments) is { } port:
                    var isReplica = (facts.Capabilities & CapabilityBits.ReplicaLaunch) != 0 || (facts.Resources & Policy.Session.SessionCopyBit) != 0;
                    State.AddPort(port, isReplica, launch.ProgramName, entry.Id, Now);
                    break;
                case NetworkListen { Port: { } listenPort } listen:
                    State.AddPort(listenPort, replica, listen.Program, entry.Id, Now);
                    break;
            }
        }
    }

    /// <summary>Records a notice the host reported (for example that the agent will be shut down).</summary>
    public void RecordNotice(string notice)
    {
        var entry = State.AddEntry(Now, [], notice);
        foreach (var slot in Policy.Session.SlotsForNotice(notice))
        {
            State.AddOccurrence(slot, entry);
        }
    }

    /// <summary>Finds the port a server command line listens on: <c>--port N</c>, <c>--port=N</c>, <c>--api-port N</c>, ….</summary>
    internal static int? PortOf(IReadOnlyList<string> arguments)
    {
        for (var i = 0; i < arguments.Count; i++)
        {
            var argument = arguments[i];
            if (!argument.StartsWith("--", StringComparison.Ordinal))
            {
                continue;
            }

            var eq = argument.IndexOf('=', StringComparison.Ordinal);
            var name = eq < 0 ? argument.AsSpan(2) : argument.AsSpan(2, eq - 2);
            if (!name.EndsWith("port", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            var value = eq >= 0 ? argument[(eq + 1)..] : i + 1 < arguments.Count ? arguments[i + 1] : null;
            if (value is not null && int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port is > 0 and <= 65535)
            {
                return port;
            }
        }

        return null;
    }

    private void AugmentFile(FileOperation file, OperationFacts facts)
    {
        var target = State.Lookup(file.Path, containing: false, Catalog.HomeDirectory);
        facts.Resources |= ResourcesOf(target);
        if (file.Action == FileAction.Read)
        {
            if ((target & TaintFlags.ModelWeights) != 0)
            {
                facts.Capabilities |= CapabilityBits.WeightsRead;
            }

            if ((target & TaintFlags.Credentials) != 0)
            {
                facts.Capabilities |= CapabilityBits.CredentialAccess;
            }

            return;
        }

        // Sources of copies, and archives being extracted (a write with sources): what goes out is what came in.
        var copies = file.Action is FileAction.Copy or FileAction.Move or FileAction.Link;
        foreach (var source in file.Sources)
        {
            var flags = State.Lookup(source, containing: true, Catalog.HomeDirectory);
            if (flags == TaintFlags.None)
            {
                continue;
            }

            facts.Resources |= ResourcesOf(flags);
            facts.Self |= (flags & TaintFlags.Self) != 0;
            if (!copies)
            {
                continue;
            }

            if ((flags & (TaintFlags.ModelWeights | TaintFlags.AgentScaffold)) != 0)
            {
                facts.Capabilities |= CapabilityBits.WeightsCopy;
            }

            if ((flags & TaintFlags.Credentials) != 0)
            {
                facts.Capabilities |= CapabilityBits.CredentialAccess;
            }
        }
    }

    private void AddSent(TaintFlags flags, OperationFacts facts)
    {
        if (flags == TaintFlags.None)
        {
            return;
        }

        facts.Resources |= ResourcesOf(flags);
        facts.Self |= (flags & TaintFlags.Self) != 0;
        if ((flags & (TaintFlags.ModelWeights | TaintFlags.AgentScaffold)) != 0)
        {
            facts.Capabilities |= CapabilityBits.WeightsExfiltrate;
        }

        if ((flags & TaintFlags.Credentials) != 0)
        {
            facts.Capabilities |= CapabilityBits.CredentialAccess;
        }
    }

    private void AugmentLaunch(ProcessLaunch launch, OperationFacts facts)
    {
        var flags = TaintFlags.None;
        if (launch.Script is { } script)
        {
            flags |= State.Lookup(script, containing: false, Catalog.HomeDirectory);
        }

        if (launch.Module is not null && launch.WorkingDirectory is { } directory)
        {
            // python -m pkg.main imports the package from the working directory first: code of the copy runs.
            flags |= State.Lookup(directory, containing: false, Catalog.HomeDirectory);
        }

        if (ProgramPath(launch, Catalog) is { } program)
        {
            flags |= State.Lookup(program, containing: false, Catalog.HomeDirectory);
            if (!facts.Paths.Contains(program))
            {
                facts.Paths.Add(program);
            }
        }

        if (flags == TaintFlags.None)
        {
            return;
        }

        facts.Resources |= ResourcesOf(flags);

        // Code run from a copy of the agent, or from a copy that holds weights next to the code, is the replica.
        var self = (flags & TaintFlags.Self) != 0 && (flags & (TaintFlags.AgentScaffold | TaintFlags.ModelWeights)) != 0;
        var weightsCopy = (flags & TaintFlags.Copy) != 0 && (flags & TaintFlags.ModelWeights) != 0;
        if (self || weightsCopy)
        {
            facts.Capabilities |= CapabilityBits.ReplicaLaunch;
            facts.Resources |= Catalog.SelfProcessBit;
            facts.Self = true;
        }
    }

    private void AugmentRequest(HttpRequestOperation http, OperationFacts facts)
    {
        if (http.Port is not { } port || (http.Host is not null && !Classifier.IsLoopback(http.Host)) || !State.Ports.TryGetValue(port, out var launched))
        {
            return;
        }

        if (launched.Replica)
        {
            facts.Resources |= Catalog.SelfEndpointBit;
            facts.Self = true;
        }

        // A task or prompt sent to a replica the agent started instructs it; to any other server the agent started, only
        // a prompt that asks the model to copy, replicate or start itself does.
        if (http.Body is { Length: > 0 } body && (launched.Replica || ContainsReplicationPhrase(body)))
        {
            facts.Capabilities |= CapabilityBits.ReplicaInstruct;
        }
    }

    private bool ContainsReplicationPhrase(string text)
    {
        foreach (var phrase in Catalog.ReplicationPhrases)
        {
            if (text.Contains(phrase, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    private void RecordFile(FileOperation file, OperationFacts facts, InterpreterKind interpreter, long entryId)
    {
        switch (file.Action)
        {
            case FileAction.Copy or FileAction.Move or FileAction.Link:
                var flags = FlagsOf(facts);
                var destinations = Destinations(file, facts.WorkingDirectory);
                if (file.Sources.Count == 1 && !file.Recursive && State.Files.TryGetValue(file.Sources[0], out var script))
                {
                    // A copy of a script the agent wrote is that script under another name.
                    foreach (var destination in destinations)
                    {
                        State.Track(destination, script.Content, script.Downloaded, entryId, Now);
                    }
                }

                if (flags != TaintFlags.None || file.Recursive || file.Archive)
                {
                    foreach (var destination in destinations)
                    {
                        State.AddDerived(destination, flags | TaintFlags.Copy, file.Sources.Count > 0 ? file.Sources[0] : string.Empty, entryId, Now);
                    }
                }

                break;

            case FileAction.Write when file.Sources.Count > 0:
                // Extracting an archive (tar x, unzip -d): what comes out is what went in.
                var extracted = FlagsOf(facts);
                if (extracted != TaintFlags.None)
                {
                    State.AddDerived(file.Path, extracted | TaintFlags.Copy, file.Sources[0], entryId, Now);
                }

                break;

            case FileAction.Write when !file.Recursive:
                if (file.Content is null && (facts.ProgramClasses & Catalog.TransferToolClass) != 0 && Catalog.TransferToolClass != 0)
                {
                    State.Track(file.Path, content: null, downloaded: true, entryId, Now); // curl -o, wget: fetched, unknowable
                }
                else if (file.Content is null)
                {
                    State.Untrack(file.Path); // overwritten with something unknown: the old content no longer says anything
                }
                else if (interpreter == InterpreterKind.FileEdit && State.Files.TryGetValue(file.Path, out var edited) && edited.Content is not null)
                {
                    // An edit carries only the new text: keep the old beside it, which over- rather than under-states.
                    State.Track(file.Path, edited.Content + "\n" + file.Content, downloaded: false, entryId, Now);
                }
                else
                {
                    State.Track(file.Path, file.Content, downloaded: false, entryId, Now);
                }

                break;

            case FileAction.Append when file.Content is not null:
                var existing = State.Files.TryGetValue(file.Path, out var old) ? old.Content : null;
                State.Track(file.Path, existing is null ? file.Content : existing + file.Content, downloaded: false, entryId, Now);
                break;

            case FileAction.Delete:
                State.Forget(file.Path);
                break;
        }
    }

    private IEnumerable<string> Destinations(FileOperation file, string? workingDirectory)
    {
        var destination = file.Path;
        var intoDirectory = !file.Archive && file.Action != FileAction.Link
            && (file.Sources.Count > 1 || IsContainerDirectory(destination, workingDirectory) || (Catalog.HostAware && destination.StartsWith('/') && Directory.Exists(destination)));
        if (!intoDirectory)
        {
            yield return destination;
            yield break;
        }

        foreach (var source in file.Sources)
        {
            var name = PathNormalizer.FileName(source);
            if (name.Length > 0)
            {
                yield return destination == "/" ? "/" + name.ToString() : destination + "/" + name.ToString();
            }
        }
    }

    private bool IsContainerDirectory(string path, string? workingDirectory) =>
        ContainerDirectories.Contains(path)
        || string.Equals(path, Catalog.HomeDirectory, StringComparison.Ordinal)
        || (workingDirectory is not null && PathNormalizer.IsAtOrBelow(workingDirectory, path))
        || (path.StartsWith("/home/", StringComparison.Ordinal) && path.IndexOf('/', 6) < 0);

    private TaintFlags FlagsOf(OperationFacts facts)
    {
        var flags = TaintFlags.None;
        if ((facts.Resources & Catalog.ModelWeightsBit) != 0)
        {
            flags |= TaintFlags.ModelWeights;
        }

        if ((facts.Resources & Catalog.AgentScaffoldBit) != 0)
        {
            flags |= TaintFlags.AgentScaffold;
        }

        if ((facts.Resources & Catalog.CredentialsBit) != 0)
        {
            flags |= TaintFlags.Credentials;
        }

        if (facts.Self)
        {
            flags |= TaintFlags.Self;
        }

        return flags;
    }

    private ulong ResourcesOf(TaintFlags flags)
    {
        ulong bits = 0;
        if ((flags & TaintFlags.ModelWeights) != 0)
        {
            bits |= Catalog.ModelWeightsBit;
        }

        if ((flags & TaintFlags.AgentScaffold) != 0)
        {
            bits |= Catalog.AgentScaffoldBit;
        }

        if ((flags & TaintFlags.Credentials) != 0)
        {
            bits |= Catalog.CredentialsBit;
        }

        if ((flags & TaintFlags.Copy) != 0)
        {
            bits |= Policy.Session.SessionCopyBit;
        }

        return bits;
    }

    /// <summary>Gets the normalized path of a launched program given by path (<c>./run.sh</c>, <c>/tmp/x</c>), or <see langword="null"/> for a name looked up in PATH.</summary>
    internal static string? ProgramPath(ProcessLaunch launch, Catalog catalog) =>
        launch.Program.Contains('/', StringComparison.Ordinal) ? catalog.Normalize(launch.Program, launch.WorkingDirectory) : null;
}
