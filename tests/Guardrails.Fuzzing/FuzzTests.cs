using System.Globalization;
using Xunit.Abstractions;

namespace Guardrails.Fuzzing;

/// <summary>
/// The bounded fuzzing run of every <c>dotnet test</c>: each target replays its committed corpus (seeds and the
/// regression inputs of bugs found earlier), then the in-process mutation fuzzer runs a fixed number of mutations
/// from a fixed seed (<c>GUARDRAILS_FUZZ_SEED</c> and <c>GUARDRAILS_FUZZ_ITERATIONS</c> change them). Coverage-guided
/// runs with afl-fuzz are separate (fuzz-afl.sh, docs/fuzzing.md).
/// </summary>
public sealed class FuzzTests(ITestOutputHelper output)
{
    private const int DefaultSeed = 20_251_126;

    /// <summary>Gets each target with its number of mutations and the fewest distinct behaviours a healthy run shows.</summary>
    public static TheoryData<string, int, int> Targets => new()
    {
        { "shell", 6000, 200 },
        { "shell-decision", 1500, 50 },
        { "policy", 400, 8 },
        { "tool-call", 1500, 30 },
    };

    [Theory]
    [MemberData(nameof(Targets))]
    public void CommittedCorpus_EveryInputPasses(string name, int iterations, int behaviours)
    {
        _ = (iterations, behaviours);
        var target = FuzzTarget.Find(name)!;
        var failures = new List<string>();
        var inputs = SeedCorpus.Committed(target);
        foreach (var (file, input) in inputs)
        {
            try
            {
                target.Run(input);
            }
            catch (Exception exception)
            {
                failures.Add($"{target.CorpusName}/{file}: {exception.GetType().Name}: {exception.Message}");
            }
        }

        inputs.Should().NotBeEmpty($"Corpus/{target.CorpusName} holds the seeds");
        failures.Should().BeEmpty();
    }

    [Theory]
    [MemberData(nameof(Targets))]
    public void MutationFuzzing_FindsNoCrashAndNoBrokenInvariant(string name, int iterations, int behaviours)
    {
        var target = FuzzTarget.Find(name)!;
        var seed = Setting("GUARDRAILS_FUZZ_SEED", DefaultSeed) + name.Length;
        iterations = Setting("GUARDRAILS_FUZZ_ITERATIONS", iterations);
        var fuzzer = new MutationFuzzer(target, SeedCorpus.Seeds(target, maxShared: 300), MutationFuzzer.ReadDictionary(SeedCorpus.DictionaryPath(target)), seed);

        var findings = fuzzer.Run(iterations);

        output.WriteLine($"{name}: seed {seed}, {fuzzer.Executions} executions, {fuzzer.Behaviours} behaviours, {fuzzer.Queued} queued");
        foreach (var finding in findings.Take(5))
        {
            output.WriteLine(finding.ToString());
        }

        fuzzer.Behaviours.Should().BeGreaterThanOrEqualTo(behaviours, "the inputs must exercise the target");
        findings.Should().BeEmpty($"replay with GUARDRAILS_FUZZ_SEED; the first finding: {findings.FirstOrDefault()}");
    }

    private static int Setting(string variable, int fallback) =>
        int.TryParse(Environment.GetEnvironmentVariable(variable), NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) ? value : fallback;
}
