using Microsoft.Extensions.Logging;

namespace Guardrails.ModelContextProtocol;

/// <summary>The log messages of the MCP adapter. Tool arguments are never logged.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 4100, Level = LogLevel.Warning, Message = "tools/call {ToolName} (request {CallId}): {Verdict} ({Rules})")]
    public static partial void Decided(ILogger logger, string toolName, string? callId, string verdict, string rules);

    [LoggerMessage(EventId = 4101, Level = LogLevel.Debug, Message = "tools/call {ToolName} (request {CallId}): allow")]
    public static partial void Allowed(ILogger logger, string toolName, string? callId);

    [LoggerMessage(EventId = 4102, Level = LogLevel.Information, Message = "tools/call {ToolName} (request {CallId}): asked the user, approved: {Approved} ({Reason})")]
    public static partial void Elicited(ILogger logger, string toolName, string? callId, bool approved, string? reason);

    [LoggerMessage(EventId = 4110, Level = LogLevel.Information, Message = "upstream MCP server {ServerName} {ServerVersion} connected (tools: {Tools}, prompts: {Prompts}, resources: {Resources})")]
    public static partial void UpstreamConnected(ILogger logger, string serverName, string serverVersion, bool tools, bool prompts, bool resources);

    [LoggerMessage(EventId = 4111, Level = LogLevel.Information, Message = "upstream: {Line}")]
    public static partial void UpstreamStandardError(ILogger logger, string line);

    [LoggerMessage(EventId = 4112, Level = LogLevel.Debug, Message = "relayed {Method} from the upstream server")]
    public static partial void Relayed(ILogger logger, string method);

    [LoggerMessage(EventId = 4113, Level = LogLevel.Warning, Message = "could not relay {Method} from the upstream server: {Problem}")]
    public static partial void RelayFailed(ILogger logger, string method, string problem);

    [LoggerMessage(EventId = 4114, Level = LogLevel.Warning, Message = "the upstream MCP server ended: {Problem}")]
    public static partial void UpstreamEnded(ILogger logger, string problem);
}
