using System.Collections.Frozen;
using System.Numerics;
using Guardrails.Actions;

namespace Guardrails.Classification;

/// <summary>
/// Maps the well-known capabilities to bit positions so that classification and rule matching work on a single
/// <see cref="ulong"/> instead of sets of strings.
/// </summary>
internal static class CapabilityBits
{
    private static readonly FrozenDictionary<string, int> Positions =
        Capability.WellKnown.Select((c, i) => (c.Value, i)).ToFrozenDictionary(p => p.Value, p => p.i, StringComparer.Ordinal);

    public static readonly ulong WeightsRead = Of(Capability.WeightsRead);
    public static readonly ulong WeightsCopy = Of(Capability.WeightsCopy);
    public static readonly ulong WeightsExfiltrate = Of(Capability.WeightsExfiltrate);
    public static readonly ulong ReplicaLaunch = Of(Capability.ReplicaLaunch);
    public static readonly ulong ProcessDetach = Of(Capability.ProcessDetach);
    public static readonly ulong Persistence = Of(Capability.Persistence);
    public static readonly ulong ShutdownEvasion = Of(Capability.ShutdownEvasion);
    public static readonly ulong GuardTamper = Of(Capability.GuardTamper);
    public static readonly ulong ComputeAcquire = Of(Capability.ComputeAcquire);
    public static readonly ulong CredentialAccess = Of(Capability.CredentialAccess);
    public static readonly ulong ReplicaInstruct = Of(Capability.ReplicaInstruct);
    public static readonly ulong CodeOpaque = Of(Capability.CodeOpaque);
    public static readonly ulong SelfModify = Of(Capability.SelfModify);
    public static readonly ulong DataUpload = Of(Capability.DataUpload);
    public static readonly ulong NetworkListen = Of(Capability.NetworkListen);
    public static readonly ulong NetworkEgress = Of(Capability.NetworkEgress);
    public static readonly ulong WorkspaceEscape = Of(Capability.WorkspaceEscape);

    /// <summary>Returns the bit of a well-known capability, or 0 for a name the classifier never produces.</summary>
    public static ulong Of(Capability capability) =>
        Positions.TryGetValue(capability.Value, out var position) ? 1UL << position : 0;

    /// <summary>Lists the capabilities set in <paramref name="mask"/>, in the order of <see cref="Capability.WellKnown"/>.</summary>
    public static IReadOnlyList<Capability> ToList(ulong mask)
    {
        if (mask == 0)
        {
            return [];
        }

        var result = new Capability[BitOperations.PopCount(mask)];
        var n = 0;
        for (var i = 0; i < Capability.WellKnown.Count && n < result.Length; i++)
        {
            if ((mask & (1UL << i)) != 0)
            {
                result[n++] = Capability.WellKnown[i];
            }
        }

        return result;
    }

    /// <summary>Returns the first capability set in <paramref name="mask"/> (in well-known order).</summary>
    public static Capability First(ulong mask) =>
        mask == 0 ? Capability.CodeOpaque : Capability.WellKnown[BitOperations.TrailingZeroCount(mask)];
}
