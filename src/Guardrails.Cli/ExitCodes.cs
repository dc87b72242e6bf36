namespace Guardrails.Cli;

/// <summary>The process exit codes of the <c>guardrails</c> command (the usage codes follow BSD <c>sysexits.h</c>).</summary>
internal static class ExitCodes
{
    /// <summary>Success; for <c>check</c>, the call is allowed.</summary>
    public const int Success = 0;

    /// <summary><c>check</c>: the call is escalated (a human must approve it).</summary>
    public const int Escalate = 1;

    /// <summary><c>validate</c>: the policy has errors.</summary>
    public const int Invalid = 1;

    /// <summary><c>check</c>: the call is denied.</summary>
    public const int Deny = 2;

    /// <summary><c>test</c>: a case failed, a bypass variant got through, or a test file or policy is invalid.</summary>
    public const int TestsFailed = 1;

    /// <summary><c>diff</c>: at least one decision changed between the two policies.</summary>
    public const int Changed = 1;

    /// <summary><c>hook</c>: block the tool call (the code Claude Code and Gemini CLI treat as blocking).</summary>
    public const int HookBlock = 2;

    /// <summary>A policy given on the command line cannot be loaded where a working one is required (<c>EX_DATAERR</c>).</summary>
    public const int DataError = 65;

    /// <summary>The command line is wrong (<c>EX_USAGE</c>).</summary>
    public const int Usage = 64;

    /// <summary>An input file does not exist or cannot be opened (<c>EX_NOINPUT</c>).</summary>
    public const int NoInput = 66;

    /// <summary>An unexpected internal error (<c>EX_SOFTWARE</c>).</summary>
    public const int Software = 70;

    /// <summary>Reading input or writing output failed, for example a closed pipe (<c>EX_IOERR</c>).</summary>
    public const int IOError = 74;
}
