using System.Collections.Concurrent;
using System.ComponentModel;
using Microsoft.Extensions.AI;

namespace Guardrails.Extensions.AI.Tests.Fakes;

/// <summary>Tools that only record that their body was entered. Nothing is ever executed.</summary>
public sealed class HarmlessTools
{
    private int _entered;

    /// <summary>Gets the commands whose tool body was entered, in order.</summary>
    public ConcurrentQueue<string> Executed { get; } = new();

    /// <summary>Gets how many times any tool body was entered.</summary>
    public int Entered => Volatile.Read(ref _entered);

    public AIFunction Bash => AIFunctionFactory.Create(
        [Description("Runs a shell command")] (string command) => Record(command, "ok: " + command),
        "bash");

    public AIFunction HttpRequest => AIFunctionFactory.Create(
        [Description("Sends an HTTP request")] (string url, string method, string? body) => Record($"{method} {url} {body}", "200 OK"),
        "http_request");

    public AIFunction[] All => [Bash, HttpRequest];

    public bool Ran(string fragment) => Executed.Any(c => c.Contains(fragment, StringComparison.Ordinal));

    private string Record(string what, string result)
    {
        Interlocked.Increment(ref _entered);
        Executed.Enqueue(what);
        return result;
    }
}
