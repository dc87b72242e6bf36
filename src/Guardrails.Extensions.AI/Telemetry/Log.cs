using Microsoft.Extensions.Logging;

namespace Guardrails.Extensions.AI.Telemetry;

// Every log message of the Microsoft.Extensions.AI adapter, with stable event ids (3000–3099). Decisions themselves
// are logged by the core guard; tool arguments are never logged here.
internal static partial class Log
{
    [LoggerMessage(EventId = 3000, Level = LogLevel.Information, Message = "Tool call {ToolName} (call {CallId}) escalated: approval requested as {RequestId}, expires {ExpiresAt:O}: {Rules}")]
    public static partial void ApprovalRequested(ILogger logger, string toolName, string? callId, string requestId, DateTimeOffset expiresAt, string rules);

    [LoggerMessage(EventId = 3001, Level = LogLevel.Information, Message = "Approval {RequestId} for tool call {ToolName} (call {CallId}) accepted")]
    public static partial void ApprovalAccepted(ILogger logger, string requestId, string toolName, string? callId);

    [LoggerMessage(EventId = 3002, Level = LogLevel.Warning, Message = "Approval response {RequestId} for tool call {ToolName} (call {CallId}) was not honoured and the call will not run: {Code}: {Reason}")]
    public static partial void ApprovalRejected(ILogger logger, string requestId, string toolName, string? callId, string code, string reason);

    [LoggerMessage(EventId = 3003, Level = LogLevel.Error, Message = "The OnToolCallDecided callback failed for tool call {ToolName} (call {CallId}); the call is denied: {Error}")]
    public static partial void CallbackFailed(ILogger logger, string toolName, string? callId, string error);
}
