using Microsoft.Extensions.Logging;

namespace Guardrails.Telemetry;

// Every log message of the core library, with stable event ids. Tool arguments may hold secrets: they are logged only
// at Trace (event 1010).
internal static partial class Log
{
    [LoggerMessage(EventId = 1000, Level = LogLevel.Debug, Message = "Allowed tool call {ToolName} (call {CallId}, session {SessionId}) with score {Score} under policy {PolicyName}@{PolicyVersion}")]
    public static partial void Allowed(ILogger logger, string toolName, string? callId, string? sessionId, int score, string policyName, string policyVersion);

    [LoggerMessage(EventId = 1001, Level = LogLevel.Warning, Message = "Escalated tool call {ToolName} (call {CallId}, session {SessionId}) with score {Score}: {Rules} under policy {PolicyName}@{PolicyVersion}")]
    public static partial void Escalated(ILogger logger, string toolName, string? callId, string? sessionId, int score, string rules, string policyName, string policyVersion);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Warning, Message = "Denied tool call {ToolName} (call {CallId}, session {SessionId}) with score {Score}: {Rules} under policy {PolicyName}@{PolicyVersion}")]
    public static partial void Denied(ILogger logger, string toolName, string? callId, string? sessionId, int score, string rules, string policyName, string policyVersion);

    [LoggerMessage(EventId = 1003, Level = LogLevel.Error, Message = "Tool call {ToolName} (call {CallId}, session {SessionId}) could not be evaluated and was decided {Verdict} under policy {PolicyName}@{PolicyVersion}: {Error}")]
    public static partial void EvaluationFailed(ILogger logger, string toolName, string? callId, string? sessionId, string verdict, string policyName, string policyVersion, string error);

    [LoggerMessage(EventId = 1004, Level = LogLevel.Information, Message = "Audit mode: tool call {ToolName} (call {CallId}, session {SessionId}) allowed; enforcement would have decided {ShadowVerdict}: {Rules} under policy {PolicyName}@{PolicyVersion}")]
    public static partial void Audited(ILogger logger, string toolName, string? callId, string? sessionId, string shadowVerdict, string rules, string policyName, string policyVersion);

    [LoggerMessage(EventId = 1010, Level = LogLevel.Trace, Message = "Tool call {ToolName} arguments: {Arguments}")]
    public static partial void Arguments(ILogger logger, string toolName, string arguments);

    [LoggerMessage(EventId = 1020, Level = LogLevel.Information, Message = "Loaded policy {PolicyName}@{PolicyVersion} with {RuleCount} rules")]
    public static partial void PolicyLoaded(ILogger logger, string policyName, string policyVersion, int ruleCount);

    [LoggerMessage(EventId = 1022, Level = LogLevel.Information, Message = "Policy {PolicyName}@{PolicyVersion} is now in service with {RuleCount} rules (was {PreviousVersion})")]
    public static partial void PolicyUpdated(ILogger logger, string policyName, string policyVersion, string previousVersion, int ruleCount);

    [LoggerMessage(EventId = 1023, Level = LogLevel.Error, Message = "Policy file {PolicyPath} changed but does not load; the previous policy stays in service ({PolicyVersion}): {Problems}")]
    public static partial void PolicyReloadRejected(ILogger logger, string policyPath, string policyVersion, string problems);

    [LoggerMessage(EventId = 1025, Level = LogLevel.Information, Message = "Policy file {PolicyPath} changed: {PolicyName}@{PolicyVersion} is now in service")]
    public static partial void PolicyReloaded(ILogger logger, string policyPath, string policyName, string policyVersion);

    [LoggerMessage(EventId = 1024, Level = LogLevel.Error, Message = "Checking policy file {PolicyPath} for changes failed: {Error}")]
    public static partial void PolicyWatchFailed(ILogger logger, string policyPath, string error);

    [LoggerMessage(EventId = 1021, Level = LogLevel.Critical, Message = "Policy {PolicyName} could not be loaded; every tool call will be denied: {Problems}")]
    public static partial void PolicyLoadFailed(ILogger logger, string policyName, string problems);

    [LoggerMessage(EventId = 1030, Level = LogLevel.Information, Message = "Approval requested for tool call {ToolName} (call {CallId}): {Rules}")]
    public static partial void ApprovalRequested(ILogger logger, string toolName, string? callId, string rules);

    [LoggerMessage(EventId = 1031, Level = LogLevel.Information, Message = "Approval for tool call {ToolName} (call {CallId}) resolved: approved={Approved} by {Approver}: {Reason}")]
    public static partial void ApprovalResolved(ILogger logger, string toolName, string? callId, bool approved, string? approver, string? reason);

    [LoggerMessage(EventId = 1032, Level = LogLevel.Warning, Message = "Approval for tool call {ToolName} (call {CallId}) failed and was treated as a refusal: {Error}")]
    public static partial void ApprovalFailed(ILogger logger, string toolName, string? callId, string error);
}
