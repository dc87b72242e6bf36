using Microsoft.SemanticKernel;

namespace Guardrails.SemanticKernel;

/// <summary>
/// Marks, for the function-invocation filter below it, the one invocation the auto-function-invocation filter has
/// already decided — so that a call is decided (and a human asked) once, not twice, when both filters are registered.
/// </summary>
/// <remarks>
/// The marker flows down the async call chain of <c>next</c> only. It matches the same guard, function and arguments
/// instance, and is used up by the first match, so a function that invokes other functions from its body still has
/// each of those decided.
/// </remarks>
internal sealed class DecidedCall
{
    private static readonly AsyncLocal<DecidedCall?> Current = new();

    private readonly Guard _guard;
    private readonly KernelFunction _function;
    private readonly KernelArguments? _arguments;
    private int _used;

    private DecidedCall(Guard guard, KernelFunction function, KernelArguments? arguments)
    {
        _guard = guard;
        _function = function;
        _arguments = arguments;
    }

    /// <summary>Marks the invocation about to run through <c>next</c> as decided by <paramref name="guard"/>.</summary>
    public static Scope Enter(Guard guard, KernelFunction function, KernelArguments? arguments)
    {
        var previous = Current.Value;
        Current.Value = new DecidedCall(guard, function, arguments);
        return new Scope(previous);
    }

    /// <summary>Uses up the marker when it names this invocation.</summary>
    public static bool TryConsume(Guard guard, KernelFunction function, KernelArguments? arguments)
    {
        var marker = Current.Value;
        return marker is not null
            && ReferenceEquals(marker._guard, guard)
            && ReferenceEquals(marker._function, function)
            && ReferenceEquals(marker._arguments, arguments)
            && Interlocked.Exchange(ref marker._used, 1) == 0;
    }

    /// <summary>Restores the previous marker.</summary>
    public readonly struct Scope : IDisposable
    {
        private readonly DecidedCall? _previous;

        internal Scope(DecidedCall? previous) => _previous = previous;

        /// <inheritdoc />
        public void Dispose() => Current.Value = _previous;
    }
}
