using System.Text;
using Guardrails.Policies;

namespace Guardrails.Tests.Policies;

/// <summary>Property: whatever the text, the loader answers (success, or at least one error) and never throws.</summary>
public sealed class PolicyLoaderFuzzTests
{
    private const string Seed = """
        {
          "$schema": "../docs/policy.schema.json",
          "version": 1,
          "name": "fuzz",
          "extends": ["builtin:default"],
          "self": { "agentDirectories": ["/opt/agent"], "modelDirectories": ["/models"], "servingPorts": [8000] },
          "catalogs": {
            "resources": { "datasets": { "paths": ["/data/**"], "extensions": [".parquet"], "names": ["*.arrow"] } },
            "programs": { "trainer": ["torchrun", "deepspeed"] },
            "hosts": { "trusted": ["*.example.com"] }
          },
          "tools": { "run": { "interpreter": "process", "arguments": { "program": ["exe"], "args": ["argv"] } } },
          "thresholds": { "escalate": 40, "deny": 80 },
          "limits": { "maxOperations": 100 },
          "onError": "deny",
          "rules": [
            { "id": "data.upload", "effect": "escalate", "capability": "data.upload",
              "when": { "operations": ["network.transfer"], "resources": ["datasets"], "direction": "upload", "ports": [22, "8000-8100"],
                        "arguments": ["--recursive\\b"], "unless": { "hostClasses": ["trusted"] } } },
            { "id": "trainer.detached", "score": 50, "when": { "programClasses": ["trainer"], "detached": true, "paths": ["/data/[a-z]*/**"] } },
            { "id": "allow.tests", "effect": "allow", "suppresses": ["trainer.detached"], "when": { "tools": ["run"], "self": false } }
          ],
          "removeRules": []
        }
        """;

    private static readonly string[] Fragments =
    [
        "{", "}", "[", "]", ",", ":", "\"", "null", "true", "-1", "70000", "1e400", "\"9-3\"", "\"(?=x)\"", "\"[\"", "//", "/*", "\\u0000",
        "\"rules\"", "\"when\"", "\"extends\"", "\"builtin:nope\"", "\"../x.json\"", "é", "🚀", "\uFEFF", "\n", "   ", "{}", "[]", "\"\"",
    ];

    [Fact]
    public void LoadText_TwoThousandMutations_NeverThrowsAndAlwaysAnswers()
    {
        var random = new Random(20241212);
        PolicyAssert.Succeeded(PolicyLoader.LoadText(Seed, "seed.json"));
        var outcomes = new int[2];

        for (var i = 0; i < 2000; i++)
        {
            var text = Mutate(Seed, random, 1 + random.Next(4));

            PolicyLoadResult? result = null;
            var act = () => result = PolicyLoader.LoadText(text, "fuzz.json");

            act.Should().NotThrow("mutation {0} was:\n{1}", i, text);
            result!.Success.Should().Be(!result.Diagnostics.Any(d => d.Severity == PolicyDiagnosticSeverity.Error));
            (result.Document is null).Should().Be(!result.Success);
            result.Diagnostics.Should().NotContain(d => d.Code == "GR1999", "unexpected failures are bugs; mutation {0} was:\n{1}", i, text);
            result.Version.Should().HaveLength(16);
            outcomes[result.Success ? 0 : 1]++;
        }

        // The mutations exercise both outcomes.
        outcomes.Should().OnlyContain(n => n > 50);
    }

    private static string Mutate(string text, Random random, int count)
    {
        var builder = new StringBuilder(text);
        for (var m = 0; m < count && builder.Length > 0; m++)
        {
            var at = random.Next(builder.Length);
            switch (random.Next(5))
            {
                case 0:
                    builder.Remove(at, Math.Min(1 + random.Next(8), builder.Length - at));
                    break;
                case 1:
                    builder.Insert(at, Fragments[random.Next(Fragments.Length)]);
                    break;
                case 2:
                    builder[at] = (char)random.Next(32, 127);
                    break;
                case 3:
                    var length = Math.Min(1 + random.Next(40), builder.Length - at);
                    builder.Insert(random.Next(builder.Length), builder.ToString(at, length));
                    break;
                default:
                    // Swap a value-ish token for another, keeping the JSON well-formed more often than not.
                    var value = random.Next(3) switch
                    {
                        0 => "\"deny\"",
                        1 => random.Next(-5, 70000).ToString(System.Globalization.CultureInfo.InvariantCulture),
                        _ => "\"Bad Id!\"",
                    };
                    var quote = builder.ToString().IndexOf(": \"", at, StringComparison.Ordinal);
                    if (quote >= 0)
                    {
                        var end = builder.ToString().IndexOf('"', quote + 3);
                        if (end > quote)
                        {
                            builder.Remove(quote + 2, end - quote - 1).Insert(quote + 2, value);
                        }
                    }

                    break;
            }
        }

        return builder.ToString();
    }
}
