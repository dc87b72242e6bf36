using System.Globalization;

namespace Guardrails.Fuzzing;

/// <summary>The fuzzing harness's command line (docs/fuzzing.md).</summary>
internal static class Program
{
    private const string Usage = """
        Usage:
          Guardrails.Fuzzing list
          Guardrails.Fuzzing afl TARGET                  run under afl-fuzz (Guardrails.dll instrumented with sharpfuzz)
          Guardrails.Fuzzing mutate TARGET|all [--iterations N] [--seconds S] [--seed N] [--findings DIR]
          Guardrails.Fuzzing run TARGET FILE|DIR...      replay inputs; exit 1 if any fails

        Exit codes: 0 no finding; 1 findings (mutate, run); 64 usage error.
        """;

    public static int Main(string[] args)
    {
        if (args is ["list"])
        {
            foreach (var target in FuzzTarget.All)
            {
                Console.WriteLine($"{target.Name,-16} {target.Description}");
            }

            return 0;
        }

        if (args is ["afl", var aflName] && FuzzTarget.Find(aflName) is { } aflTarget)
        {
            // Persistent mode: afl-fuzz hands inputs over one by one; an exception that escapes is a crash.
            SharpFuzz.Fuzzer.Run(stream =>
            {
                using var buffer = new MemoryStream();
                stream.CopyTo(buffer);
                aflTarget.Run(buffer.GetBuffer().AsSpan(0, (int)buffer.Length));
            });
            return 0;
        }

        if (args is ["run", var runName, .. var paths] && paths.Length > 0 && FuzzTarget.Find(runName) is { } runTarget)
        {
            return Replay(runTarget, paths);
        }

        if (args is ["mutate", var mutateName, .. var options])
        {
            var targets = mutateName == "all" ? FuzzTarget.All : FuzzTarget.Find(mutateName) is { } one ? [one] : [];
            if (targets.Count > 0 && TryParseOptions(options, out var iterations, out var seconds, out var seed, out var findings))
            {
                return Mutate(targets, iterations, seconds, seed, findings);
            }
        }

        Console.Error.WriteLine(Usage);
        return 64;
    }

    private static int Replay(FuzzTarget target, string[] paths)
    {
        var failed = 0;
        var files = paths.SelectMany(p => Directory.Exists(p) ? Directory.GetFiles(p, "*", SearchOption.AllDirectories) : [p]);
        foreach (var file in files.Order(StringComparer.Ordinal))
        {
            try
            {
                Console.WriteLine($"{file}: ok ({target.Run(File.ReadAllBytes(file))})");
            }
#pragma warning disable CA1031 // Every exception is a finding, reported with its input.
            catch (Exception exception)
#pragma warning restore CA1031
            {
                failed++;
                Console.WriteLine($"{file}: FAILED {exception}");
            }
        }

        return failed == 0 ? 0 : 1;
    }

    private static int Mutate(IReadOnlyList<FuzzTarget> targets, long iterations, double seconds, int seed, string? findingsDirectory)
    {
        var total = 0;
        foreach (var target in targets)
        {
            var fuzzer = new MutationFuzzer(target, SeedCorpus.Seeds(target, maxShared: 2000), MutationFuzzer.ReadDictionary(SeedCorpus.DictionaryPath(target)), seed);
            var deadline = seconds > 0 ? DateTime.UtcNow.AddSeconds(seconds / targets.Count) : (DateTime?)null;
            var findings = fuzzer.Run(iterations, deadline);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{target.Name}: {fuzzer.Executions} executions, {fuzzer.Behaviours} behaviours, {fuzzer.Queued} queued, {findings.Count} findings (seed {seed})"));
            foreach (var finding in findings.DistinctBy(f => f.Problem.Split('\n')[0]).Take(10))
            {
                Console.WriteLine(finding);
                if (findingsDirectory is not null)
                {
                    var directory = Path.Combine(findingsDirectory, target.Name);
                    Directory.CreateDirectory(directory);
                    File.WriteAllBytes(Path.Combine(directory, finding.FileName), finding.Input);
                }
            }

            total += findings.Count;
        }

        return total == 0 ? 0 : 1;
    }

    private static bool TryParseOptions(string[] options, out long iterations, out double seconds, out int seed, out string? findings)
    {
        iterations = long.MaxValue;
        seconds = 0;
        seed = 1;
        findings = null;
        for (var i = 0; i + 1 < options.Length; i += 2)
        {
            var value = options[i + 1];
            var ok = options[i] switch
            {
                "--iterations" => long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out iterations),
                "--seconds" => double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out seconds),
                "--seed" => int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out seed),
                "--findings" => (findings = value) is not null,
                _ => false,
            };
            if (!ok)
            {
                return false;
            }
        }

        // Without a bound the run would never end.
        return options.Length % 2 == 0 && (iterations != long.MaxValue || seconds > 0);
    }
}
