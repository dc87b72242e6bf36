using Microsoft.Extensions.Logging;

namespace Guardrails.Cli.Serving;

/// <summary>The log messages of <c>guardrails serve</c>. Tool arguments are never logged.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 2001, Level = LogLevel.Information, Message = "Policy {Policy}@{Version} loaded")]
    public static partial void PolicyLoaded(ILogger logger, string policy, string version);

    [LoggerMessage(EventId = 2002, Level = LogLevel.Information, Message = "Policy file changed: {Policy}@{Version} is now in service")]
    public static partial void PolicyReloaded(ILogger logger, string policy, string version);

    [LoggerMessage(EventId = 2003, Level = LogLevel.Error, Message = "Policy file {Policy} changed but does not load; the previous policy stays in service: {Errors}")]
    public static partial void ReloadRejected(ILogger logger, string policy, string errors);

    [LoggerMessage(EventId = 2004, Level = LogLevel.Critical, Message = "Policy {Policy} could not be loaded; every call is denied until the file is fixed: {Errors}")]
    public static partial void InitialLoadFailed(ILogger logger, string policy, string errors);

    [LoggerMessage(EventId = 2005, Level = LogLevel.Error, Message = "Checking policy file {Policy} for changes failed: {Error}")]
    public static partial void ReloadFailed(ILogger logger, string policy, string error);

    [LoggerMessage(EventId = 2006, Level = LogLevel.Information, Message = "Decision service listening on {Address}")]
    public static partial void Listening(ILogger logger, string address);

    [LoggerMessage(EventId = 2007, Level = LogLevel.Warning, Message = "Rejected request to {Path}: {Problem}")]
    public static partial void BadRequest(ILogger logger, string path, string problem);
}
