using Microsoft.Extensions.Logging;

namespace Guardrails.Cli.Serving;

/// <summary>The log messages of <c>guardrails serve</c>. Tool arguments are never logged.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 2001, Level = LogLevel.Information, Message = "Policy {Policy}@{Version} loaded")]
    public static partial void PolicyLoaded(ILogger logger, string policy, string version);

    [LoggerMessage(EventId = 2004, Level = LogLevel.Critical, Message = "Policy {Policy} could not be loaded; every call is denied until the file is fixed: {Errors}")]
    public static partial void InitialLoadFailed(ILogger logger, string policy, string errors);

    [LoggerMessage(EventId = 2006, Level = LogLevel.Information, Message = "Decision service listening on {Address}")]
    public static partial void Listening(ILogger logger, string address);

    [LoggerMessage(EventId = 2007, Level = LogLevel.Warning, Message = "Rejected request to {Path}: {Problem}")]
    public static partial void BadRequest(ILogger logger, string path, string problem);
}
