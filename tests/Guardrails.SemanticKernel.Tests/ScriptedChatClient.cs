using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;

namespace Guardrails.SemanticKernel.Tests;

/// <summary>
/// A fake model: answers each request with the next scripted turn (tool calls or text) and records every function
/// result it is shown, so a test can assert what the model saw.
/// </summary>
internal sealed class ScriptedChatClient : IChatClient
{
    private readonly Queue<ChatMessage> _turns;

    public ScriptedChatClient(params ChatMessage[] turns)
    {
        _turns = new Queue<ChatMessage>(turns);
    }

    /// <summary>Gets the number of requests the client answered.</summary>
    public int Requests { get; private set; }

    /// <summary>Gets the function results the model was shown, by call id (the latest wins).</summary>
    public Dictionary<string, string> SeenResults { get; } = new(StringComparer.Ordinal);

    /// <summary>Gets the names of the tools offered in the last request.</summary>
    public IReadOnlyList<string> OfferedTools { get; private set; } = [];

    /// <summary>Creates a turn in which the model calls <paramref name="function"/> with a shell command.</summary>
    public static ChatMessage Calls(params (string CallId, string Function, string Command)[] calls) =>
        new(ChatRole.Assistant, [.. calls.Select(c => new FunctionCallContent(c.CallId, c.Function, new Dictionary<string, object?> { ["command"] = c.Command }))]);

    /// <summary>Creates a turn in which the model answers with text.</summary>
    public static ChatMessage Says(string text) => new(ChatRole.Assistant, text);

    public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        Requests++;
        OfferedTools = [.. options?.Tools?.Select(t => t.Name) ?? []];
        foreach (var result in messages.SelectMany(m => m.Contents).OfType<FunctionResultContent>())
        {
            SeenResults[result.CallId] = result.Result?.ToString() ?? string.Empty;
        }

        var turn = _turns.Count > 0 ? _turns.Dequeue() : Says("(the script has ended)");
        return Task.FromResult(new ChatResponse(turn));
    }

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var response = await GetResponseAsync(messages, options, cancellationToken);
        foreach (var update in response.ToChatResponseUpdates())
        {
            yield return update;
        }
    }

    public object? GetService(Type serviceType, object? serviceKey = null) => serviceType.IsInstanceOfType(this) ? this : null;

    public void Dispose()
    {
    }
}
