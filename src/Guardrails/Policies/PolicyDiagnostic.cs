using System.Globalization;
using System.Text;

namespace Guardrails.Policies;

/// <summary>
/// Describes one problem found while loading a policy file: a stable code, a one-sentence message, a help line and the
/// location (file, 1-based line and column, JSON path) of the offending value.
/// </summary>
/// <remarks>
/// <para>
/// Codes are stable: tools and tests may depend on them. <c>GR1xxx</c> codes concern reading and parsing files,
/// <c>GR2xxx</c> codes concern the meaning of a well-formed file, <c>GR21xx</c> codes concern combining a file with the
/// policies it extends.
/// </para>
/// <list type="table">
///   <listheader><term>Code</term><description>Severity and meaning</description></listheader>
///   <item><term>GR1001</term><description>Error. The file is not well-formed JSON (JSON with comments and trailing commas is accepted).</description></item>
///   <item><term>GR1002</term><description>Error. A value has the wrong JSON type, a property is unknown, or the document is not a JSON object.</description></item>
///   <item><term>GR1003</term><description>Error. The policy file or builtin policy does not exist or cannot be read.</description></item>
///   <item><term>GR1004</term><description>Error. A policy named in <c>extends</c> does not exist or cannot be read.</description></item>
///   <item><term>GR1005</term><description>Error. The <c>extends</c> chain contains a cycle.</description></item>
///   <item><term>GR1006</term><description>Error. The <c>extends</c> chain is deeper than 8 levels.</description></item>
///   <item><term>GR1007</term><description>Error. A policy file is larger than 4 MiB.</description></item>
///   <item><term>GR1999</term><description>Error. Loading failed unexpectedly; the policy is rejected (fail closed).</description></item>
///   <item><term>GR2001</term><description>Error. <c>version</c> is not 1.</description></item>
///   <item><term>GR2002</term><description>Error. A rule has no <c>id</c>.</description></item>
///   <item><term>GR2003</term><description>Error. A rule id does not match <c>^[a-z0-9][a-z0-9._-]*$</c>.</description></item>
///   <item><term>GR2004</term><description>Error. Two rules in one file have the same id.</description></item>
///   <item><term>GR2005</term><description>Error. A rule's <c>effect</c> is not <c>score</c>, <c>escalate</c>, <c>deny</c> or <c>allow</c>.</description></item>
///   <item><term>GR2006</term><description>Error. A rule's <c>score</c> is outside 0–100.</description></item>
///   <item><term>GR2007</term><description>Warning. A <c>score</c> rule has no score (or 0), so it can never change a decision.</description></item>
///   <item><term>GR2008</term><description>Error. A rule has no conditions and would match every operation.</description></item>
///   <item><term>GR2009</term><description>Error. <c>when.operations</c> names an unknown operation.</description></item>
///   <item><term>GR2010</term><description>Warning. A capability is not a well-known one (the vocabulary is open, but it is probably a typo).</description></item>
///   <item><term>GR2011</term><description>Warning. A resource kind is defined by no catalog of the merged policy and is not well-known.</description></item>
///   <item><term>GR2012</term><description>Error. A <c>when.arguments</c> regular expression is invalid or needs backtracking.</description></item>
///   <item><term>GR2013</term><description>Error. A path, program or host glob is invalid.</description></item>
///   <item><term>GR2014</term><description>Error. A port is not an integer 0–65535 or a range <c>"A-B"</c> with A ≤ B.</description></item>
///   <item><term>GR2015</term><description>Error. <c>direction</c> is not <c>upload</c> or <c>download</c>.</description></item>
///   <item><term>GR2016</term><description>Error. A threshold is outside 1–100, or <c>escalate</c> is greater than <c>deny</c>.</description></item>
///   <item><term>GR2017</term><description>Error. <c>onError</c> is not <c>deny</c> or <c>escalate</c>.</description></item>
///   <item><term>GR2018</term><description>Error. <c>unknownTools</c> is not <c>allow</c>, <c>escalate</c> or <c>deny</c>.</description></item>
///   <item><term>GR2019</term><description>Error. <c>mode</c> is not <c>enforce</c> or <c>audit</c>.</description></item>
///   <item><term>GR2020</term><description>Error. A tool binding has no <c>interpreter</c> or an unknown one.</description></item>
///   <item><term>GR2021</term><description>Error. A tool binding names an argument role its interpreter does not have.</description></item>
///   <item><term>GR2022</term><description>Warning. <c>suppresses</c> is set on a rule whose effect is not <c>allow</c>, where it has no effect.</description></item>
///   <item><term>GR2023</term><description>Error. A limit is not a positive number.</description></item>
///   <item><term>GR2024</term><description>Error. A list contains an empty string or <c>null</c>, or an object has an empty key or a <c>null</c> value.</description></item>
///   <item><term>GR2025</term><description>Error. A history condition's <c>within</c> or <c>atLeast</c> is less than 1.</description></item>
///   <item><term>GR2026</term><description>Error. A history condition has neither or both of <c>match</c> and <c>notices</c>.</description></item>
///   <item><term>GR2027</term><description>Error. A history condition names an unknown notice (known: <c>shutdown</c>).</description></item>
///   <item><term>GR2028</term><description>Error. A history condition is nested inside the <c>match</c> of another history condition.</description></item>
///   <item><term>GR2102</term><description>Warning. <c>removeRules</c> names a rule that no base policy defines.</description></item>
/// </list>
/// </remarks>
/// <param name="Code">The stable diagnostic code, for example <c>GR2003</c>.</param>
/// <param name="Severity">Whether the problem prevents the policy from loading.</param>
/// <param name="Message">A one-sentence description of the problem.</param>
/// <param name="Help">A suggestion for fixing the problem, or <see langword="null"/> when there is none.</param>
/// <param name="File">The file path or builtin name (<c>builtin:NAME</c>) the problem is in, or <see langword="null"/> when unknown.</param>
/// <param name="Line">The 1-based line of the problem, or 0 when unknown.</param>
/// <param name="Column">The 1-based column of the problem in UTF-16 characters, or 0 when unknown.</param>
/// <param name="JsonPath">The JSON path of the offending value, for example <c>$.rules[2].when.ports[0]</c>, or <see langword="null"/> when unknown.</param>
public sealed record PolicyDiagnostic(
    string Code,
    PolicyDiagnosticSeverity Severity,
    string Message,
    string? Help,
    string? File,
    int Line,
    int Column,
    string? JsonPath)
{
    /// <summary>
    /// Formats the diagnostic the way compilers and MSBuild do, for example
    /// <c>policy.json(4,7): error GR1002: MESSAGE [at $.self.sefl]</c>, so that editors and build logs can link to it.
    /// </summary>
    /// <returns>The formatted diagnostic; parts that are unknown are left out.</returns>
    public override string ToString()
    {
        var builder = new StringBuilder();
        if (File is not null)
        {
            builder.Append(File);
            if (Line > 0)
            {
                builder.Append('(').Append(Line.ToString(CultureInfo.InvariantCulture));
                if (Column > 0)
                {
                    builder.Append(',').Append(Column.ToString(CultureInfo.InvariantCulture));
                }

                builder.Append(')');
            }

            builder.Append(": ");
        }

        builder.Append(Severity == PolicyDiagnosticSeverity.Error ? "error " : "warning ")
            .Append(Code)
            .Append(": ")
            .Append(Message);
        if (JsonPath is not null)
        {
            builder.Append(" [at ").Append(JsonPath).Append(']');
        }

        return builder.ToString();
    }
}
