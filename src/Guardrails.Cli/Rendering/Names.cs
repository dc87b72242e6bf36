namespace Guardrails.Cli.Rendering;

/// <summary>The stable lower-case names the CLI writes for enum values.</summary>
internal static class Names
{
    /// <summary>Gets the name of a verdict: <c>allow</c>, <c>escalate</c> or <c>deny</c>.</summary>
    /// <param name="verdict">The verdict.</param>
    /// <returns>The name.</returns>
    public static string Of(Verdict verdict) => verdict switch
    {
        Verdict.Allow => "allow",
        Verdict.Escalate => "escalate",
        _ => "deny",
    };
}
