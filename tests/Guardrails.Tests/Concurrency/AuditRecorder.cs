using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Guardrails.Tests.Concurrency;

/// <summary>A thread-safe logger that keeps every record with its structured values, for audit assertions.</summary>
internal sealed class AuditRecorder : ILogger<Guard>, ILogger<GuardPolicyWatcher>
{
    private readonly ConcurrentQueue<AuditRecord> _records = new();

    public IReadOnlyCollection<AuditRecord> Records => _records;

    /// <summary>Gets the records of decisions (event ids 1000–1004), one per decision.</summary>
    public IReadOnlyList<AuditRecord> Decisions => [.. _records.Where(r => r.EventId is >= 1000 and <= 1004)];

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Debug;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        var values = new Dictionary<string, string?>(StringComparer.Ordinal);
        if (state is IEnumerable<KeyValuePair<string, object?>> pairs)
        {
            foreach (var (key, value) in pairs)
            {
                values[key] = value?.ToString();
            }
        }

        _records.Enqueue(new AuditRecord(eventId.Id, logLevel, formatter(state, exception), values));
    }
}

/// <summary>One log record.</summary>
internal sealed record AuditRecord(int EventId, LogLevel Level, string Message, IReadOnlyDictionary<string, string?> Values)
{
    public string? this[string key] => Values.GetValueOrDefault(key);
}
