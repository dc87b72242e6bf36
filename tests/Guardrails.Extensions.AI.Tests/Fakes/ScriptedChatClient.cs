using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;

namespace Guardrails.Extensions.AI.Tests.Fakes;

/// <summary>
/// A model that replays a script: each request gets the next scripted response (or the response a step computes from
/// what the model was sent). Every request's messages are recorded, so tests can read what the model saw.
/// </summary>
public sealed class ScriptedChatClient : IChatClient
{
    private readonly Queue<Func<IReadOnlyList<ChatMessage>, ChatResponse>> _steps = new();
    private readonly Lock _gate = new();

    /// <summary>Gets the messages of every request, in order.</summary>
    public List<IReadOnlyList<ChatMessage>> Requests { get; } = [];

    /// <summary>Gets the contents of every message the model was sent, over all requests.</summary>
    public IEnumerable<AIContent> Seen => Requests.SelectMany(static r => r).SelectMany(static m => m.Contents);

    /// <summary>Gets the function results the model was sent in its latest request.</summary>
    public IReadOnlyList<FunctionResultContent> LastResults =>
        [.. (Requests.Count == 0 ? [] : Requests[^1]).SelectMany(static m => m.Contents).OfType<FunctionResultContent>()];

    /// <summary>Gets or sets the text answered once the script is exhausted.</summary>
    public string Done { get; set; } = "done";

    public ScriptedChatClient Then(Func<IReadOnlyList<ChatMessage>, ChatResponse> step)
    {
        _steps.Enqueue(step);
        return this;
    }

    /// <summary>Scripts a response with these function calls.</summary>
    public ScriptedChatClient ThenCall(params FunctionCallContent[] calls) =>
        Then(_ => new ChatResponse(new ChatMessage(ChatRole.Assistant, [.. calls])) { ResponseId = Guid.NewGuid().ToString("N") });

    /// <summary>Scripts a text response.</summary>
    public ScriptedChatClient ThenSay(string text) => Then(_ => new ChatResponse(new ChatMessage(ChatRole.Assistant, text)));

    public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        IReadOnlyList<ChatMessage> snapshot = [.. messages.Select(static m => m.Clone())];
        Func<IReadOnlyList<ChatMessage>, ChatResponse>? step;
        lock (_gate)
        {
            Requests.Add(snapshot);
            _steps.TryDequeue(out step);
        }

        return Task.FromResult(step?.Invoke(snapshot) ?? new ChatResponse(new ChatMessage(ChatRole.Assistant, Done)));
    }

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var response = await GetResponseAsync(messages, options, cancellationToken);
        foreach (var update in response.ToChatResponseUpdates())
        {
            await Task.Yield();
            yield return update;
        }
    }

    public object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceKey is null && serviceType.IsInstanceOfType(this) ? this : null;

    public void Dispose()
    {
    }

    /// <summary>Creates a call to the shell tool.</summary>
    public static FunctionCallContent Bash(string callId, string command) =>
        new(callId, "bash", new Dictionary<string, object?> { ["command"] = command });
}
