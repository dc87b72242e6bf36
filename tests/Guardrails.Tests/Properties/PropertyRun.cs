using System.Globalization;
using Xunit.Abstractions;

namespace Guardrails.Tests.Properties;

/// <summary>
/// One property test run: a seeded random source, the failures found, and how to reproduce them. The seed is fixed
/// (so a run is reproducible and CI is stable) unless <c>GUARDRAILS_PROPERTY_SEED</c> sets another base seed, which is
/// how a developer explores further; <c>GUARDRAILS_PROPERTY_SCALE</c> multiplies the number of cases. Every run prints
/// its seed, and every failure message carries the case number and the input.
/// </summary>
internal sealed class PropertyRun
{
    private const int DefaultBaseSeed = 20_251_126;
    private const int MaxReported = 20;

    private readonly ITestOutputHelper _output;
    private readonly List<string> _failures = [];

    public PropertyRun(ITestOutputHelper output, string name, int salt = 0)
    {
        _output = output;
        Name = name;
        Seed = unchecked(BaseSeed + StableHash(name) + salt * 7919);
        Random = new Random(Seed);
        output.WriteLine($"{name}: seed {Seed} (base {BaseSeed}; set GUARDRAILS_PROPERTY_SEED to explore others)");
    }

    /// <summary>Gets the base seed: <c>GUARDRAILS_PROPERTY_SEED</c>, or the fixed default.</summary>
    public static int BaseSeed { get; } =
        int.TryParse(Environment.GetEnvironmentVariable("GUARDRAILS_PROPERTY_SEED"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var seed) ? seed : DefaultBaseSeed;

    /// <summary>Gets the factor applied to case counts (<c>GUARDRAILS_PROPERTY_SCALE</c>, default 1).</summary>
    public static double Scale { get; } =
        double.TryParse(Environment.GetEnvironmentVariable("GUARDRAILS_PROPERTY_SCALE"), NumberStyles.Float, CultureInfo.InvariantCulture, out var scale) && scale > 0 ? scale : 1;

    public string Name { get; }

    public int Seed { get; }

    public Random Random { get; }

    /// <summary>Gets how many cases to run for a nominal <paramref name="count"/>.</summary>
    public static int Cases(int count) => Math.Max(1, (int)(count * Scale));

    /// <summary>Records a failure of <paramref name="property"/> on case <paramref name="index"/>.</summary>
    public void Fail(string property, int index, string input, string detail) =>
        _failures.Add($"[{property}] case {index} (seed {Seed}): {detail}\n    input: {Shorten(input)}");

    /// <summary>Runs <paramref name="check"/>, recording an exception as a failure of <paramref name="property"/>.</summary>
    public T? Guarded<T>(string property, int index, string input, Func<T> check)
    {
        try
        {
            return check();
        }
        catch (Exception exception)
        {
            Fail(property, index, input, $"threw {exception.GetType().Name}: {exception.Message}");
            return default;
        }
    }

    /// <summary>Fails the test when any property failed, listing the first failures with their seed.</summary>
    public void AssertNoFailures()
    {
        foreach (var failure in _failures.Take(MaxReported))
        {
            _output.WriteLine(failure);
        }

        _failures.Should().BeEmpty(
            $"every property must hold; reproduce with GUARDRAILS_PROPERTY_SEED={BaseSeed} ({_failures.Count} failures, the first ones:\n{string.Join("\n", _failures.Take(3))})");
    }

    public static string Shorten(string text)
    {
        var escaped = text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal).Replace("\r", "\\r", StringComparison.Ordinal);
        return escaped.Length > 400 ? escaped[..399] + $"… ({text.Length} characters)" : escaped;
    }

    // string.GetHashCode is randomized per process; the seed must not be.
    private static int StableHash(string text)
    {
        var hash = 17;
        foreach (var c in text)
        {
            hash = unchecked((hash * 31) + c);
        }

        return hash;
    }
}
