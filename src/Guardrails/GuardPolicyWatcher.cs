using System.Security.Cryptography;
using Guardrails.Policies;
using Guardrails.Telemetry;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Guardrails;

/// <summary>
/// Follows a policy file and puts each new version that loads into service in a <see cref="Guard"/>
/// (<see cref="Guard.UpdatePolicy"/>). A version that does not load is rejected and logged with its diagnostics; the
/// guard keeps deciding with the policy it had.
/// </summary>
/// <remarks>
/// <para>Changes are noticed by a <see cref="FileSystemWatcher"/> on the file's directory and, as a backstop for file
/// systems that do not report changes, by comparing the file's content hash every poll interval. Checks are
/// serialized; decisions never wait for them.</para>
/// <para>A file that cannot be read, or is blank (an editor or a tool truncated it and is about to write it), is not a
/// new version: the check is repeated at the next event or poll. A deleted policy file therefore leaves the last good
/// policy in service — deleting it never disables the guard. Only the top file is watched; a change to a policy it
/// extends is picked up with the next change of the top file.</para>
/// <para>When it starts, the watcher reads the file once, so that a change made between loading the guard's policy
/// and starting the watcher is not missed; if the file still holds the version in service, nothing changes.</para>
/// </remarks>
public sealed class GuardPolicyWatcher : IDisposable
{
    private readonly Guard _guard;
    private readonly ILogger _logger;
    private readonly Lock _gate = new();
    private readonly FileSystemWatcher? _watcher;
    private readonly Timer? _timer;
    private string? _processedHash;
    private long _reloads;
    private long _rejected;
    private string? _lastError;
    private bool _disposed;

    /// <summary>Initializes a new watcher and starts following <paramref name="policyPath"/>.</summary>
    /// <param name="guard">The guard whose policy is replaced.</param>
    /// <param name="policyPath">The policy file.</param>
    /// <param name="logger">Where reloads and rejections are logged; <see langword="null"/> for none.</param>
    /// <param name="pollInterval">How often to compare the file's content hash; <see langword="null"/> for two seconds, <see cref="Timeout.InfiniteTimeSpan"/> for never.</param>
    /// <exception cref="ArgumentNullException"><paramref name="guard"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="policyPath"/> is empty or names an embedded policy (<c>builtin:NAME</c>, which never changes).</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="pollInterval"/> is neither positive nor infinite.</exception>
    public GuardPolicyWatcher(Guard guard, string policyPath, ILogger? logger = null, TimeSpan? pollInterval = null)
    {
        ArgumentNullException.ThrowIfNull(guard);
        ArgumentException.ThrowIfNullOrWhiteSpace(policyPath);
        if (policyPath.StartsWith(PolicyLoader.BuiltinPrefix, StringComparison.Ordinal))
        {
            throw new ArgumentException("Embedded policies never change; only a policy file can be watched.", nameof(policyPath));
        }

        var poll = pollInterval ?? TimeSpan.FromSeconds(2);
        if (poll <= TimeSpan.Zero && poll != Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentOutOfRangeException(nameof(pollInterval), poll, "The poll interval must be positive or infinite.");
        }

        _guard = guard;
        _logger = logger ?? NullLogger.Instance;
        PolicyPath = Path.GetFullPath(policyPath);
        Check(initial: true);

        var directory = Path.GetDirectoryName(PolicyPath);
        if (directory is not null && Directory.Exists(directory))
        {
            _watcher = new FileSystemWatcher(directory, Path.GetFileName(PolicyPath))
            {
                NotifyFilter = NotifyFilters.LastWrite | NotifyFilters.Size | NotifyFilters.FileName | NotifyFilters.CreationTime,
            };
            _watcher.Changed += OnFileEvent;
            _watcher.Created += OnFileEvent;
            _watcher.Renamed += OnFileEvent;
            _watcher.EnableRaisingEvents = true;
        }

        if (poll != Timeout.InfiniteTimeSpan)
        {
            _timer = new Timer(static state => ((GuardPolicyWatcher)state!).OnPoll(), this, poll, poll);
        }
    }

    /// <summary>Gets the full path of the policy file.</summary>
    public string PolicyPath { get; }

    /// <summary>Gets the number of new versions put into service.</summary>
    public long Reloads => Interlocked.Read(ref _reloads);

    /// <summary>Gets the number of changed files that were rejected because they did not load.</summary>
    public long RejectedReloads => Interlocked.Read(ref _rejected);

    /// <summary>Gets the errors of the last rejected file, or <see langword="null"/> when the last change loaded.</summary>
    public string? LastError => Volatile.Read(ref _lastError);

    /// <summary>
    /// Checks now whether the file's content changed since it was last looked at and, if so, loads it and puts it into
    /// service when it loads. Events and polls call this; a host may also call it (for example on <c>SIGHUP</c>).
    /// </summary>
    /// <returns><see langword="true"/> when a new version was put into service.</returns>
    public bool CheckForChanges() => Check(initial: false);

    /// <inheritdoc />
    public void Dispose()
    {
        lock (_gate)
        {
            _disposed = true;
        }

        _watcher?.Dispose();
        _timer?.Dispose();
    }

    private void OnFileEvent(object sender, FileSystemEventArgs e) => OnPoll();

    private void OnPoll()
    {
        try
        {
            CheckForChanges();
        }
#pragma warning disable CA1031 // A watcher callback must not crash the host; the next event or poll tries again.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            Log.PolicyWatchFailed(_logger, PolicyPath, ex.Message);
        }
    }

    private bool Check(bool initial)
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return false;
            }

            var hash = Hash(PolicyPath);
            if (hash is null || string.Equals(hash, _processedHash, StringComparison.Ordinal))
            {
                return false; // unchanged, or unreadable for a moment (being replaced): the next event or poll looks again
            }

            _processedHash = hash;
            var (policy, problems) = Load(PolicyPath);
            if (policy is not null)
            {
                if (string.Equals(policy.Version, _guard.Policy?.Version, StringComparison.Ordinal) && string.Equals(policy.Name, _guard.Policy?.Name, StringComparison.Ordinal))
                {
                    Volatile.Write(ref _lastError, null);
                    return false; // the version in service (the file was touched, or this is the first look)
                }

                try
                {
                    _guard.UpdatePolicy(policy);
                    Log.PolicyReloaded(_logger, PolicyPath, policy.Name, _guard.PolicyVersion ?? policy.Version);
                    Volatile.Write(ref _lastError, null);
                    Interlocked.Increment(ref _reloads);
                    return true;
                }
                catch (PolicyLoadException ex)
                {
                    problems = Errors(ex.Diagnostics);
                }
            }

            Volatile.Write(ref _lastError, problems);
            if (!initial || _guard.Policy is not null)
            {
                Interlocked.Increment(ref _rejected);
                Log.PolicyReloadRejected(_logger, PolicyPath, _guard.PolicyVersion ?? "fail-closed", problems);
            }

            return false;
        }
    }

    private static (GuardPolicy? Policy, string Problems) Load(string path)
    {
        try
        {
            return GuardPolicy.TryLoad(path, out var policy, out var diagnostics) ? (policy, string.Empty) : (null, Errors(diagnostics));
        }
#pragma warning disable CA1031 // Fail closed: a load that throws is a rejected load.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            return (null, $"GR1999: the policy could not be loaded: {ex.GetType().Name}: {ex.Message}");
        }
    }

    private static string Errors(IReadOnlyList<PolicyDiagnostic> diagnostics)
    {
        var errors = string.Join("; ", diagnostics.Where(d => d.Severity == PolicyDiagnosticSeverity.Error).Select(d => d.ToString()));
        return errors.Length == 0 ? "the policy could not be loaded" : errors;
    }

    // The content hash of the file; null while it cannot be read or is blank (an editor or a tool truncated it and is
    // about to write it): a blank file would load as the empty policy, which allows everything.
    private static string? Hash(string path)
    {
        try
        {
            var bytes = File.ReadAllBytes(path);
            return bytes.AsSpan().Trim(" \t\r\n"u8).IsEmpty ? null : Convert.ToHexString(SHA256.HashData(bytes));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
