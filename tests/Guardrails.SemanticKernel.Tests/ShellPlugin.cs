using System.Collections.Concurrent;
using System.ComponentModel;
using Microsoft.SemanticKernel;

namespace Guardrails.SemanticKernel.Tests;

/// <summary>Harmless tool bodies that only record what they were asked to run: the counters the tests assert on.</summary>
internal sealed class ShellPlugin
{
    public const string Name = "Shell";

    /// <summary>Gets the commands whose body was entered, in order.</summary>
    public ConcurrentQueue<string> Executed { get; } = new();

    [KernelFunction("bash")]
    [Description("Runs a shell command.")]
    public string Bash([Description("The command line.")] string command)
    {
        Executed.Enqueue(command);
        return $"ran: {command}";
    }
}
