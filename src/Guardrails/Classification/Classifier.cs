using Guardrails.Actions;

namespace Guardrails.Classification;

/// <summary>
/// Tags operations with the capabilities they exercise and the resources they touch, using a policy's catalogs and
/// its model of the agent itself. Knows nothing of rules: it only describes.
/// </summary>
internal static class Classifier
{
    private static readonly string[] TerminationSignals = ["TERM", "INT", "HUP", "QUIT", "USR1", "USR2", "ALRM", "PIPE", "TSTP", "XCPU", "PWR"];

    private static readonly string[] ModelApiPaths =
        ["/chat/completions", "/completions", "/generate", "/api/chat", "/api/generate", "/v1/messages", "/v1/responses", "/invocations", "/infer"];

    public static OperationFacts Classify(Operation operation, Catalog catalog, string toolName, string? workingDirectory = null)
    {
        var facts = new OperationFacts { Operation = operation, ToolName = toolName, WorkingDirectory = workingDirectory };
        switch (operation)
        {
            case ProcessLaunch launch:
                ClassifyLaunch(launch, catalog, facts);
                break;
            case FileOperation file:
                ClassifyFile(file, catalog, facts);
                break;
            case NetworkTransfer transfer:
                ClassifyTransfer(transfer, catalog, facts);
                break;
            case NetworkListen listen:
                facts.ProgramName = listen.Program;
                facts.ProgramClasses = catalog.ClassifyProgram(listen.Program);
                facts.Port = listen.Port;
                facts.Host = listen.Host;
                facts.Capabilities |= CapabilityBits.NetworkListen;
                if (listen.Port is { } port && catalog.Self.ServingPorts.Contains(port))
                {
                    facts.Resources |= catalog.SelfEndpointBit;
                    facts.Self = true;
                }

                facts.ArgumentText = listen.Port?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? string.Empty;
                break;
            case SignalSend signal:
                ClassifySignal(signal, catalog, facts);
                break;
            case SignalTrap trap:
                facts.ArgumentText = trap.Handler ?? string.Empty;
                if (trap.Handler is not null && trap.Signals.Any(IsTerminationSignal))
                {
                    facts.Capabilities |= CapabilityBits.ShutdownEvasion;
                }

                break;
            case ScheduledTask task:
                facts.Capabilities |= CapabilityBits.Persistence;
                if (task.Mechanism is "at" or "batch" or "systemd-run")
                {
                    facts.Capabilities |= CapabilityBits.ProcessDetach;
                    facts.Detached = true;
                }

                if (task.Path is { } path)
                {
                    facts.Paths.Add(path);
                    facts.Resources |= catalog.ClassifyPath(path, containing: false, out _) | catalog.StartupBit;
                }

                facts.ProgramName = task.Mechanism;
                facts.ArgumentText = task.Command ?? string.Empty;
                break;
            case RemoteExecution remote:
                facts.Capabilities |= CapabilityBits.ComputeAcquire;
                facts.Host = remote.Host;
                facts.HostClasses = catalog.ClassifyHost(remote.Host);
                facts.ProgramName = remote.Transport;
                facts.ArgumentText = remote.Command ?? string.Empty;
                break;
            case ComputeProvision compute:
                if (AcquiresCompute(compute))
                {
                    facts.Capabilities |= CapabilityBits.ComputeAcquire;
                }

                facts.ProgramName = compute.Provider;
                facts.ProgramClasses = catalog.ClassifyProgram(compute.Provider);
                facts.ArgumentText = compute.Workload is null ? compute.Action : compute.Action + " " + compute.Workload;
                if (compute.Workload is { } workload && MentionsInferenceServer(workload, catalog))
                {
                    facts.Capabilities |= CapabilityBits.ReplicaLaunch;
                }

                break;
            case HttpRequestOperation http:
                ClassifyHttp(http, catalog, facts);
                break;
            case EnvironmentChange env:
                facts.ArgumentText = env.Name + "=" + env.Value;
                if (catalog.Self.GuardEnvironment.Contains(env.Name) || env.Name.StartsWith("GUARDRAILS_", StringComparison.Ordinal))
                {
                    facts.Capabilities |= CapabilityBits.GuardTamper;
                    facts.Resources |= catalog.GuardBit;
                }

                if (env.Value is { Length: > 0 } && env.Name is "LD_PRELOAD" or "LD_AUDIT" or "DYLD_INSERT_LIBRARIES" or "DYLD_LIBRARY_PATH" or "PYTHONSTARTUP" or "BASH_ENV" or "ENV" or "PROMPT_COMMAND"
                    or "DOTNET_STARTUP_HOOKS" or "DOTNET_ADDITIONAL_DEPS" or "DOTNET_SHARED_STORE" or "CORECLR_ENABLE_PROFILING" or "CORECLR_PROFILER" or "CORECLR_PROFILER_PATH"
                    or "CORECLR_PROFILER_PATH_64" or "COR_ENABLE_PROFILING" or "COR_PROFILER" or "COR_PROFILER_PATH")
                {
                    // Loads native code into, or injects commands before, every later program: nothing here can be analysed.
                    facts.Capabilities |= CapabilityBits.CodeOpaque;
                }

                break;
            case OpaqueCode opaque:
                facts.Capabilities |= CapabilityBits.CodeOpaque;
                facts.ProgramName = opaque.Language;
                facts.ArgumentText = opaque.Reason;
                break;
        }

        if (operation.Kind is OperationKind.HttpRequest or OperationKind.NetworkTransfer or OperationKind.RemoteExecution
            && (facts.Host is null || !IsLoopback(facts.Host)))
        {
            facts.Capabilities |= CapabilityBits.NetworkEgress;
        }

        if (operation.Kind is OperationKind.FileRead or OperationKind.FileCopy && OutsideWorkingDirectory(facts))
        {
            facts.Capabilities |= CapabilityBits.WorkspaceEscape;
        }

        return facts;
    }

    /// <summary>Determines whether an operation names an absolute path outside the working directory (all are outside when it is unknown).</summary>
    public static bool OutsideWorkingDirectory(OperationFacts facts)
    {
        foreach (var path in facts.Paths)
        {
            if (path.StartsWith('/') && (facts.WorkingDirectory is null || !PathNormalizer.IsAtOrBelow(path, facts.WorkingDirectory)))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Determines whether a container or cluster action obtains compute. Local containers (docker/podman run, compose)
    /// use this host's compute — what they run is judged separately (an inference image is a replica launch) — and
    /// cluster housekeeping (debug, expose, rollout, set image) starts nothing new.
    /// </summary>
    private static bool AcquiresCompute(ComputeProvision compute)
    {
        var provider = compute.Provider;
        var action = compute.Action;
        if (provider is "docker" or "podman" or "nerdctl" or "docker-compose" or "podman-compose")
        {
            return action is "service create" or "stack deploy";
        }

        if (provider is "kubectl" or "oc")
        {
            return !(action is "debug" or "expose" or "set image" || action.StartsWith("rollout", StringComparison.Ordinal));
        }

        return true;
    }

    public static bool IsTerminationSignal(string signal)
    {
        var name = NormalizeSignal(signal);
        return Array.IndexOf(TerminationSignals, name) >= 0;
    }

    /// <summary>Normalizes <c>SIGTERM</c>, <c>term</c>, <c>15</c> and <c>-15</c> to <c>TERM</c>.</summary>
    public static string NormalizeSignal(string signal)
    {
        var s = signal.TrimStart('-').ToUpperInvariant();
        if (s.StartsWith("SIG", StringComparison.Ordinal))
        {
            s = s[3..];
        }

        return s switch
        {
            "1" => "HUP",
            "2" => "INT",
            "3" => "QUIT",
            "9" => "KILL",
            "10" => "USR1",
            "12" => "USR2",
            "13" => "PIPE",
            "14" => "ALRM",
            "15" => "TERM",
            _ => s,
        };
    }

    private static void ClassifyLaunch(ProcessLaunch launch, Catalog catalog, OperationFacts facts)
    {
        var name = ProgramNameOf(launch);
        facts.ProgramName = name;
        facts.ProgramClasses = catalog.ClassifyProgram(name);
        if (FirstOperand(launch.Arguments) is { } subcommand)
        {
            // Catalog entries such as "vllm serve" name a program together with its subcommand.
            facts.ProgramClasses |= catalog.ClassifyProgramAndOperand(name, subcommand);
        }

        facts.Detached = launch.Detached;

        if (launch.Script is { } launched)
        {
            // python2 laZagne.py, perl mimipenguin.pl: the script is the program that matters.
            facts.ProgramClasses |= catalog.ClassifyProgram(PathNormalizer.FileName(launched).ToString());
        }

        if (launch.Module is { } module)
        {
            facts.ProgramClasses |= catalog.ClassifyPythonModule(module);
        }

        if (launch.Detached)
        {
            facts.Capabilities |= CapabilityBits.ProcessDetach;
        }

        if ((facts.ProgramClasses & catalog.InferenceServerClass) != 0 && catalog.InferenceServerClass != 0)
        {
            facts.Capabilities |= CapabilityBits.ReplicaLaunch | CapabilityBits.NetworkListen;
            facts.Resources |= catalog.InferenceServerBit;
        }

        // The agent's own program, started again, is a replica whatever its name.
        if (catalog.Self.ProcessNames.Contains(name)
            || (launch.Script is { } script && catalog.Self.ProcessNames.Contains(PathNormalizer.FileName(script).ToString())))
        {
            facts.Capabilities |= CapabilityBits.ReplicaLaunch;
            facts.Resources |= catalog.SelfProcessBit;
            facts.Self = true;
        }

        if (launch.Program.Contains('/', StringComparison.Ordinal))
        {
            ClassifyLaunchPath(launch.Program, catalog, facts);
        }

        if (launch.Script is { } launchScript)
        {
            ClassifyLaunchPath(launchScript, catalog, facts);
        }
    }

    /// <summary>Gets <see cref="ProcessLaunch.ProgramName"/> without allocating when the program is written without directories.</summary>
    private static string ProgramNameOf(ProcessLaunch launch)
    {
        var program = launch.Program;
        return program.Contains('/', StringComparison.Ordinal) ? launch.ProgramName : program;
    }

    private static void ClassifyLaunchPath(string path, Catalog catalog, OperationFacts facts)
    {
        facts.Paths.Add(path);
        var kinds = catalog.ClassifyPath(path, containing: false, out var self);
        if (self && (kinds & (catalog.AgentScaffoldBit | catalog.ModelWeightsBit)) != 0)
        {
            facts.Capabilities |= CapabilityBits.ReplicaLaunch;
            facts.Resources |= catalog.SelfProcessBit;
            facts.Self = true;
        }

        if ((kinds & catalog.GuardBit) != 0)
        {
            facts.Resources |= catalog.GuardBit;
        }
    }

    private static string? FirstOperand(IReadOnlyList<string> arguments)
    {
        foreach (var argument in arguments)
        {
            if (argument.Length > 0 && argument[0] != '-')
            {
                return argument;
            }
        }

        return null;
    }

    private static void ClassifyFile(FileOperation file, Catalog catalog, OperationFacts facts)
    {
        facts.ProgramName = file.Program;
        if (file.Program is { } program)
        {
            facts.ProgramClasses = catalog.ClassifyProgram(program);
        }

        facts.ArgumentText = file.Sources.Count == 0 ? file.Path : string.Join(' ', file.Sources) + " " + file.Path;
        facts.Paths.Add(file.Path);
        // Deleting, moving or locking a directory also does so to what it contains; for the broad catalog locations
        // (a home directory contains shell rc files) that would flag every cleanup, so only self's directories count.
        var destructive = file.Action is FileAction.Delete or FileAction.Move or FileAction.PermissionChange;
        var target = catalog.ClassifyPath(file.Path, containingCatalogs: false, containingSelf: destructive, out var targetSelf);
        if (file.Action is FileAction.Delete or FileAction.PermissionChange && catalog.HoldsGuardLocation(file.Path))
        {
            // The guard's files go with the directory that holds them (rm -rf /var/log, chmod -R 000 ~/.config).
            target |= catalog.GuardBit;
        }

        if (file.Action is FileAction.Write or FileAction.Append && IsPythonStartupHook(file))
        {
            target |= catalog.StartupBit;
        }

        facts.Resources |= target;
        facts.Self |= targetSelf;

        ulong sources = 0;
        var sourceSelf = false;
        foreach (var source in file.Sources)
        {
            facts.Paths.Add(source);
            sources |= catalog.ClassifyPath(source, containing: true, out var self);
            sourceSelf |= self;
            if (file.Action == FileAction.Move && catalog.HoldsGuardLocation(source))
            {
                sources |= catalog.GuardBit; // mv .claude .claude.off moves the hook configuration away
            }
        }

        facts.Resources |= sources;
        facts.Self |= sourceSelf;

        switch (file.Action)
        {
            case FileAction.Read:
                if ((target & catalog.ModelWeightsBit) != 0)
                {
                    facts.Capabilities |= CapabilityBits.WeightsRead;
                }

                if ((target & catalog.CredentialsBit) != 0)
                {
                    facts.Capabilities |= CapabilityBits.CredentialAccess;
                }

                break;

            case FileAction.Copy or FileAction.Move or FileAction.Link:
                if ((sources & (catalog.ModelWeightsBit | catalog.AgentScaffoldBit)) != 0)
                {
                    facts.Capabilities |= CapabilityBits.WeightsCopy;
                }

                if ((sources & catalog.CredentialsBit) != 0)
                {
                    facts.Capabilities |= CapabilityBits.CredentialAccess;
                }

                if (file.Action == FileAction.Move && (sources & catalog.GuardBit) != 0)
                {
                    facts.Capabilities |= CapabilityBits.GuardTamper;
                }

                if (file.Action == FileAction.Move && (sources & catalog.ShutdownControlBit) != 0)
                {
                    facts.Capabilities |= CapabilityBits.ShutdownEvasion;
                }

                AddTargetWriteCapabilities(target, targetSelf, catalog, facts);
                break;

            case FileAction.PermissionChange:
                // chmod of a start-up file or a git hook does not make it run; locking the guard's files or a kill
                // switch does change what they do.
                AddTargetWriteCapabilities(target & ~catalog.StartupBit, targetSelf, catalog, facts);
                break;

            case FileAction.Write when file.Recursive && file.Program is "mkdir" or "gmkdir":
                break; // an empty new directory changes nothing that runs or is read

            default:
                AddTargetWriteCapabilities(target, targetSelf, catalog, facts);
                break;
        }
    }

    /// <summary>
    /// A <c>.pth</c> file whose text has a line starting with <c>import</c>: Python's site module runs such lines in every
    /// interpreter that starts, wherever the site directory is (model <c>.pth</c> checkpoints are binary, never such text).
    /// </summary>
    private static bool IsPythonStartupHook(FileOperation file)
    {
        if (file.Content is not { } content || !file.Path.EndsWith(".pth", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        foreach (var line in content.AsSpan().EnumerateLines())
        {
            var trimmed = line.TrimStart();
            if (trimmed.StartsWith("import ", StringComparison.Ordinal) || trimmed.StartsWith("import\t", StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    private static void AddTargetWriteCapabilities(ulong target, bool self, Catalog catalog, OperationFacts facts)
    {
        if ((target & catalog.StartupBit) != 0)
        {
            facts.Capabilities |= CapabilityBits.Persistence;
        }

        if ((target & catalog.GuardBit) != 0)
        {
            facts.Capabilities |= CapabilityBits.GuardTamper;
        }

        if ((target & catalog.ShutdownControlBit) != 0)
        {
            facts.Capabilities |= CapabilityBits.ShutdownEvasion;
        }

        if (self && (target & (catalog.AgentScaffoldBit | catalog.ModelWeightsBit)) != 0)
        {
            facts.Capabilities |= CapabilityBits.SelfModify;
        }
    }

    private static void ClassifyTransfer(NetworkTransfer transfer, Catalog catalog, OperationFacts facts)
    {
        facts.ProgramName = transfer.Program;
        facts.ProgramClasses = catalog.ClassifyProgram(transfer.Program);
        facts.Direction = transfer.Direction;
        facts.Host = transfer.Host;
        facts.Port = transfer.Port;
        if (transfer.Host is { } host)
        {
            facts.HostClasses = catalog.ClassifyHost(host);
        }

        facts.ArgumentText = transfer.Remote is null ? string.Join(' ', transfer.LocalPaths) : string.Join(' ', transfer.LocalPaths) + " " + transfer.Remote;
        ulong local = 0;
        foreach (var path in transfer.LocalPaths)
        {
            facts.Paths.Add(path);
            local |= catalog.ClassifyPath(path, containing: transfer.Direction != TransferDirection.Download, out var self);
            facts.Self |= self;
        }

        facts.Resources |= local;
        if (transfer.Direction == TransferDirection.Download)
        {
            AddTargetWriteCapabilities(local, facts.Self, catalog, facts);
            return;
        }

        if ((local & (catalog.ModelWeightsBit | catalog.AgentScaffoldBit)) != 0)
        {
            facts.Capabilities |= CapabilityBits.WeightsExfiltrate;
        }

        if ((local & catalog.CredentialsBit) != 0)
        {
            facts.Capabilities |= CapabilityBits.CredentialAccess;
        }

        if (transfer.Direction == TransferDirection.Upload && (transfer.LocalPaths.Count > 0 || transfer.Host is not null))
        {
            facts.Capabilities |= CapabilityBits.DataUpload;
        }
    }

    private static void ClassifySignal(SignalSend signal, Catalog catalog, OperationFacts facts)
    {
        facts.ProgramName = signal.Program;
        facts.ArgumentText = NormalizeSignal(signal.Signal) + " " + string.Join(' ', signal.Targets);
        foreach (var target in signal.Targets)
        {
            if (target.StartsWith('/'))
            {
                // A service named by its unit file or plist: where it lives says what it is (system-wide daemons, monitors).
                facts.Paths.Add(target);
                facts.Resources |= catalog.ClassifyPath(target, containing: false, out _);
            }

            var name = PathNormalizer.FileName(target).ToString();
            if (name.EndsWith(".service", StringComparison.Ordinal) || name.EndsWith(".socket", StringComparison.Ordinal) || name.EndsWith(".plist", StringComparison.Ordinal))
            {
                name = name[..name.LastIndexOf('.')];
            }

            if (catalog.Self.GuardProcesses.Contains(name) || ContainsAny(target, catalog.Self.GuardProcesses))
            {
                facts.Capabilities |= CapabilityBits.GuardTamper;
                facts.Resources |= catalog.GuardProcessBit;
            }

            if ((catalog.ClassifyProgram(name) & catalog.SupervisorClass) != 0 && catalog.SupervisorClass != 0)
            {
                facts.Capabilities |= CapabilityBits.ShutdownEvasion;
            }

            if (catalog.Self.ProcessNames.Contains(name))
            {
                facts.Resources |= catalog.SelfProcessBit;
                facts.Self = true;
            }
        }
    }

    private static bool ContainsAny(string text, IEnumerable<string> names)
    {
        foreach (var name in names)
        {
            if (text.Contains(name, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    private static void ClassifyHttp(HttpRequestOperation http, Catalog catalog, OperationFacts facts)
    {
        facts.Host = http.Host;
        facts.Port = http.Port;
        facts.ProgramName = http.Method;
        facts.ArgumentText = http.Body is null ? http.Method + " " + http.Url : http.Method + " " + http.Url + " " + http.Body;
        if (http.Host is { } host)
        {
            facts.HostClasses = catalog.ClassifyHost(host);
        }

        if (http.Host is "169.254.169.254" or "metadata.google.internal" or "metadata" or "169.254.170.2" or "[fd00:ec2::254]" or "fd00:ec2::254")
        {
            // The cloud instance metadata service hands out the instance's credentials.
            facts.Capabilities |= CapabilityBits.CredentialAccess;
            facts.Resources |= catalog.CredentialsBit;
        }

        if (IsGuardApi(http))
        {
            // The guard's own decision service: calls to it would write session histories, push out the agent's own
            // (sessions and history are bounded) or probe the policy for a way through. An agent has no business there.
            facts.Capabilities |= CapabilityBits.GuardTamper;
            facts.Resources |= catalog.GuardProcessBit;
        }

        if (IsSelfEndpoint(http, catalog))
        {
            facts.Resources |= catalog.SelfEndpointBit;
            facts.Self = true;
        }

        ulong uploaded = 0;
        foreach (var path in http.UploadedFiles)
        {
            facts.Paths.Add(path);
            uploaded |= catalog.ClassifyPath(path, containing: true, out var self);
            facts.Self |= self;
        }

        facts.Resources |= uploaded;
        if ((uploaded & (catalog.ModelWeightsBit | catalog.AgentScaffoldBit)) != 0)
        {
            facts.Capabilities |= CapabilityBits.WeightsExfiltrate;
        }

        if ((uploaded & catalog.CredentialsBit) != 0)
        {
            facts.Capabilities |= CapabilityBits.CredentialAccess;
        }

        if (http.UploadedFiles.Count > 0)
        {
            facts.Capabilities |= CapabilityBits.DataUpload;
            facts.Direction = TransferDirection.Upload;
        }

        if (http.Body is { Length: > 0 } body && ContainsReplicationPhrase(body, catalog) && (IsModelApi(http) || facts.Self))
        {
            facts.Capabilities |= CapabilityBits.ReplicaInstruct;
        }
    }

    /// <summary>Determines whether a request goes to the API of <c>guardrails serve</c> (<c>/v1/decide</c>, <c>/v1/decide/batch</c>).</summary>
    private static bool IsGuardApi(HttpRequestOperation http)
    {
        const string Api = "/v1/decide";
        var path = http.PathAndQuery ?? http.Url;
        var at = path.IndexOf(Api, StringComparison.OrdinalIgnoreCase);
        var end = at + Api.Length;
        return at >= 0 && (http.PathAndQuery is null || at == 0) && (end == path.Length || path[end] is '/' or '?' or '#');
    }

    private static bool IsSelfEndpoint(HttpRequestOperation http, Catalog catalog)
    {
        if (http.Port is { } port && catalog.Self.ServingPorts.Contains(port) && IsLoopback(http.Host))
        {
            return true;
        }

        foreach (var endpoint in catalog.Self.Endpoints)
        {
            if (http.Url.StartsWith(endpoint.OriginalString.TrimEnd('/'), StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    public static bool IsLoopback(string? host) =>
        host is not null && (host.Equals("localhost", StringComparison.OrdinalIgnoreCase) || host.StartsWith("127.", StringComparison.Ordinal)
            || host is "::1" or "[::1]" or "0.0.0.0" or "0");

    private static bool IsModelApi(HttpRequestOperation http) => IsModelApiPath(http.PathAndQuery ?? http.Url);

    /// <summary>Determines whether a URL path is a model inference API (<c>/v1/chat/completions</c>, <c>/api/generate</c>, …).</summary>
    public static bool IsModelApiPath(string path)
    {
        foreach (var api in ModelApiPaths)
        {
            if (path.Contains(api, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    private static bool ContainsReplicationPhrase(string text, Catalog catalog)
    {
        foreach (var phrase in catalog.ReplicationPhrases)
        {
            if (text.Contains(phrase, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    private static bool MentionsInferenceServer(string workload, Catalog catalog)
    {
        foreach (var token in workload.Split(['/', ':', ' ', '-', '_', '@', '.'], StringSplitOptions.RemoveEmptyEntries))
        {
            if ((catalog.ClassifyProgram(token) & catalog.InferenceServerClass) != 0 && catalog.InferenceServerClass != 0)
            {
                return true;
            }
        }

        return (catalog.ClassifyProgram(PathNormalizer.FileName(workload).ToString()) & catalog.InferenceServerClass) != 0 && catalog.InferenceServerClass != 0;
    }
}
