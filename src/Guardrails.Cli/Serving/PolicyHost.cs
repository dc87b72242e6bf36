using System.Security.Cryptography;
using Guardrails.Policies;
using Guardrails.Sessions;
using Microsoft.Extensions.Logging;

namespace Guardrails.Cli.Serving;

/// <summary>
/// Holds the guard the decision service decides with, and replaces it atomically when the policy file changes on
/// disk. A new file that does not load is rejected and logged; the previous guard stays in service.
/// </summary>
/// <remarks>
/// <para>Changes are noticed by a <see cref="FileSystemWatcher"/> on the policy file's directory and, as a backstop for
/// file systems that do not report changes, by comparing the file's content hash every poll interval. Reloads are
/// serialized; readers never lock (they read one reference).</para>
/// <para>If the policy cannot be loaded at start-up, the service starts fail-closed (every call denied) and keeps
/// watching, so fixing the file brings it into service.</para>
/// <para>Session histories survive reloads: every guard shares one session store.</para>
/// </remarks>
internal sealed class PolicyHost : IDisposable
{
    private readonly string _policyName;
    private readonly string? _path;
    private readonly ILogger _logger;
    private readonly GuardOptions _options = new();
    private readonly Lock _reloadGate = new();
    private readonly FileSystemWatcher? _watcher;
    private readonly Timer? _timer;
    private State _state;
    private string? _processedHash;
    private long _reloads;
    private long _rejected;
    private string? _lastError;
    private bool _disposed;

    /// <summary>Initializes a new host and loads the policy.</summary>
    /// <param name="policyName">The policy: a file path or <c>builtin:NAME</c> (builtins never change, so are not watched).</param>
    /// <param name="logger">Where load results go.</param>
    /// <param name="pollInterval">How often to compare the file's content hash; <see cref="Timeout.InfiniteTimeSpan"/> for never.</param>
    public PolicyHost(string policyName, ILogger logger, TimeSpan pollInterval)
    {
        _policyName = policyName;
        _logger = logger;
        _options.Sessions.Store = new InMemorySessionStore();
        _path = policyName.StartsWith("builtin:", StringComparison.Ordinal) ? null : Path.GetFullPath(policyName);
        _processedHash = _path is null ? null : Hash(_path);
        _state = Load(initial: true) ?? new State(Guard.CreateFailClosed($"policy '{policyName}' could not be loaded", _options), null, _lastError);
        if (_path is null)
        {
            return;
        }

        var directory = Path.GetDirectoryName(_path)!;
        if (Directory.Exists(directory))
        {
            _watcher = new FileSystemWatcher(directory, Path.GetFileName(_path))
            {
                NotifyFilter = NotifyFilters.LastWrite | NotifyFilters.Size | NotifyFilters.FileName | NotifyFilters.CreationTime,
            };
            _watcher.Changed += OnFileEvent;
            _watcher.Created += OnFileEvent;
            _watcher.Renamed += OnFileEvent;
            _watcher.EnableRaisingEvents = true;
        }

        if (pollInterval != Timeout.InfiniteTimeSpan)
        {
            _timer = new Timer(_ => CheckForChanges(), null, pollInterval, pollInterval);
        }
    }

    /// <summary>Gets the guard to decide with now.</summary>
    public Guard Guard => Volatile.Read(ref _state).Guard;

    /// <summary>Gets the policy in service, or <see langword="null"/> while the service is fail-closed.</summary>
    public GuardPolicy? Policy => Volatile.Read(ref _state).Policy;

    /// <summary>Gets why the service is fail-closed, when it is.</summary>
    public string? FailClosedReason => Volatile.Read(ref _state).Failure;

    /// <summary>Gets the number of policies put in service after start-up.</summary>
    public long Reloads => Interlocked.Read(ref _reloads);

    /// <summary>Gets the number of changed files that were rejected because they did not load.</summary>
    public long RejectedReloads => Interlocked.Read(ref _rejected);

    /// <summary>Gets the problems of the last rejected file, or <see langword="null"/> when the last change loaded.</summary>
    public string? LastError => Volatile.Read(ref _lastError);

    /// <summary>Checks whether the policy file's content changed since it was last processed, and if so reloads it.</summary>
    public void CheckForChanges()
    {
        if (_path is null)
        {
            return;
        }

        lock (_reloadGate)
        {
            if (_disposed)
            {
                return;
            }

            var hash = Hash(_path);
            if (hash is null || string.Equals(hash, _processedHash, StringComparison.Ordinal))
            {
                return; // unchanged, or unreadable for a moment (being replaced): the next event or poll looks again
            }

            _processedHash = hash;
            if (Load(initial: false) is { } state)
            {
                Volatile.Write(ref _state, state);
                Interlocked.Increment(ref _reloads);
            }
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        lock (_reloadGate)
        {
            _disposed = true;
        }

        _watcher?.Dispose();
        _timer?.Dispose();
    }

    private void OnFileEvent(object sender, FileSystemEventArgs e)
    {
        try
        {
            CheckForChanges();
        }
#pragma warning disable CA1031 // A watcher callback must not crash the service; the poll will try again.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            Log.ReloadFailed(_logger, _policyName, ex.Message);
        }
    }

    private State? Load(bool initial)
    {
        IReadOnlyList<PolicyDiagnostic> diagnostics;
        GuardPolicy? policy;
        try
        {
            GuardPolicy.TryLoad(_policyName, out policy, out diagnostics);
        }
#pragma warning disable CA1031 // Fail closed: a load that throws is a rejected load.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            policy = null;
            diagnostics = [new PolicyDiagnostic("GR1999", PolicyDiagnosticSeverity.Error, ex.Message, null, _policyName, 0, 0, null)];
        }

        if (policy is not null)
        {
            try
            {
                var guard = new Guard(policy, _options);
                Volatile.Write(ref _lastError, null);
                if (initial)
                {
                    Log.PolicyLoaded(_logger, policy.Name, policy.Version);
                }
                else
                {
                    Log.PolicyReloaded(_logger, policy.Name, policy.Version);
                }

                return new State(guard, policy, null);
            }
            catch (PolicyLoadException ex)
            {
                diagnostics = ex.Diagnostics;
            }
        }

        var errors = string.Join("; ", diagnostics.Where(d => d.Severity == PolicyDiagnosticSeverity.Error).Select(d => d.ToString()));
        Volatile.Write(ref _lastError, errors.Length == 0 ? "the policy could not be loaded" : errors);
        if (initial)
        {
            Log.InitialLoadFailed(_logger, _policyName, _lastError!);
        }
        else
        {
            Interlocked.Increment(ref _rejected);
            Log.ReloadRejected(_logger, _policyName, _lastError!);
        }

        return null;
    }

    // The content hash of the file; null while it cannot be read or is blank (an editor or a tool truncated it and is
    // about to write it): a blank file would load as the empty policy, which allows everything.
    private static string? Hash(string path)
    {
        try
        {
            var bytes = File.ReadAllBytes(path);
            if (bytes.AsSpan().Trim(" \t\r\n"u8).IsEmpty)
            {
                return null;
            }

            return Convert.ToHexString(SHA256.HashData(bytes));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private sealed record State(Guard Guard, GuardPolicy? Policy, string? Failure);
}
