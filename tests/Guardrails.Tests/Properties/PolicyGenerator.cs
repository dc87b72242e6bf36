using System.Globalization;
using System.Text.Json.Nodes;
using Guardrails.Actions;

namespace Guardrails.Tests.Properties;

/// <summary>
/// Generates random policies: every section of the format, values drawn mostly from the real vocabularies (so most
/// policies load and decide) and sometimes invalid (so the validator's paths are reached too).
/// </summary>
internal sealed class PolicyGenerator(Random random)
{
    private static readonly Vocabulary Capabilities = new([.. Capability.WellKnown.Select(c => c.Value), "custom.thing"], "Bad Capability");
    private static readonly Vocabulary Operations = new([.. OperationKinds.AllNames], "process.spawn");
    private static readonly Vocabulary Resources = new(["model-weights", "agent-scaffold", "startup", "credentials", "guard", "shutdown-control", "session-copy", "datasets", "undefined-kind"]);
    private static readonly Vocabulary Paths = new(["/models/**", "~/.ssh/**", "/data/[a-z]*/**", "/opt/agent", "/tmp/*.bin", "**", "/etc/cron.d", "relative/path", "~"], "[", "/a/[z-a]");
    private static readonly Vocabulary Programs = new(["vllm", "python*", "ollama", "torchrun", "llama-*", "scp"], "[");
    private static readonly Vocabulary Hosts = new(["*.example.com", "huggingface.co", "127.0.0.1", "*"], "[");
    private static readonly Vocabulary Regexes = new(["--port\\b", "^serve\\s", "(a|b)+c", ".*", "(?i)model", "x{2,5}"], "(?=x)", "(a)\\1", "[");
    private static readonly Vocabulary Effects = new(["score", "escalate", "deny", "allow"], "block");
    private static readonly Vocabulary Interpreters = new(["shell", "python", "file-write", "file-edit", "file-read", "file-copy", "process", "http", "generic"], "ruby");
    private static readonly Vocabulary Tools = new(["run", "exec_*", "bash", "mcp__*", "*"]);
    private static readonly Vocabulary Builtins = new(["builtin:default", "builtin:strict", "builtin:audit"], "builtin:nope");

    /// <summary>
    /// Gets or sets a value indicating whether only additive policies are generated: extends builtin:default, no allow
    /// rules, no removeRules, no audit mode. Such policies keep every fail-closed rule of the default policy.
    /// </summary>
    public bool Additive { get; set; }

    /// <summary>Gets or sets how rarely an invalid value is picked: one pick in this many.</summary>
    public int InvalidOneIn { get; set; } = 200;

    /// <summary>Generates one policy as a JSON tree.</summary>
    public JsonObject Next()
    {
        var policy = new JsonObject();
        if (Additive || Chance(2))
        {
            policy["extends"] = Additive ? new JsonArray("builtin:default") : List(1, 2, () => Pick(Builtins));
        }

        if (Chance(3))
        {
            policy["self"] = new JsonObject
            {
                ["agentDirectories"] = List(0, 2, () => Pick(["/opt/agent", "~/agent", "relative"], "")),
                ["modelDirectories"] = List(0, 2, () => Pick(["/models", "/opt/llm/weights"])),
                ["servingPorts"] = List(0, 2, () => JsonValue.Create(Pick([8000, 8001], -1, 70000))),
                ["processNames"] = List(0, 2, () => Pick(["agent.py", "vllm"])),
            };
        }

        if (Chance(2))
        {
            policy["catalogs"] = Catalogs();
        }

        if (Chance(3))
        {
            var interpreter = Pick(Interpreters);
            var roles = Guardrails.Policies.PolicyValidator.InterpreterRoles.TryGetValue(interpreter, out var known) && known.Length > 0 ? known : ["command"];
            policy["tools"] = new JsonObject
            {
                [Pick(["run", "exec_remote", "bash", "write"])] = new JsonObject
                {
                    ["interpreter"] = interpreter,
                    ["arguments"] = new JsonObject { [Pick(roles, "nonsense")] = List(1, 2, () => Pick(["cmd", "script", "argv", "target"])) },
                },
            };
        }

        if (Chance(3))
        {
            policy["thresholds"] = new JsonObject { ["escalate"] = Pick([20, 40], 0, 90), ["deny"] = Pick([80, 100], 30, 101) };
        }

        if (Chance(4))
        {
            policy["limits"] = new JsonObject { [Pick(["maxInputLength", "maxOperations", "maxNestingDepth", "maxDecodedLength"])] = Pick([1, 3, 64, 1_000_000], 0, -5) };
        }

        if (!Additive && Chance(4))
        {
            policy["mode"] = Pick(["enforce", "audit"], "loud");
        }

        if (Chance(4))
        {
            policy["onError"] = Pick(["deny", "escalate"], "allow");
        }

        if (Chance(4))
        {
            policy["unknownTools"] = Pick(["allow", "escalate", "deny"]);
        }

        policy["rules"] = List(0, 6, Rule);
        if (!Additive && Chance(4))
        {
            policy["removeRules"] = List(1, 2, () => Pick(["code.opaque", "weights.copy", "no.such.rule"]));
        }

        return policy;
    }

    private JsonObject Catalogs() => new()
    {
        ["resources"] = new JsonObject
        {
            [Pick(["datasets", "model-weights"], "Bad Kind")] = new JsonObject
            {
                ["paths"] = List(0, 3, () => Pick(Paths)),
                ["extensions"] = List(0, 2, () => Pick([".parquet", ".bin"], "bin")),
                ["names"] = List(0, 2, () => Pick(["*.arrow", "config.json"], "[")),
            },
        },
        ["programs"] = new JsonObject { [Pick(["trainer", "inference-server", "shell"])] = List(1, 3, () => Pick(Programs)) },
        ["hosts"] = new JsonObject { [Pick(["trusted", "model-hubs"])] = List(1, 2, () => Pick(Hosts)) },
        ["replicationPhrases"] = List(0, 2, () => Pick(["copy yourself", "replicate"], "")),
    };

    private JsonObject Rule()
    {
        var effect = Additive ? Pick(["score", "escalate", "deny"]) : Pick(Effects);
        var rule = new JsonObject
        {
            ["id"] = Chance(InvalidOneIn) ? "Bad Id!" : "gen." + random.Next(1000).ToString(CultureInfo.InvariantCulture),
            ["effect"] = effect,
            ["score"] = Pick([0, 10, 40, 90, 100], 150, -1),
            ["when"] = Condition(depth: 0),
        };
        if (Chance(4))
        {
            rule["capability"] = Pick(Capabilities);
        }

        if (effect == "allow" && Chance(2))
        {
            rule["suppresses"] = List(1, 2, () => Pick(["code.opaque", "weights.copy", "replica.launch", "gen.1"]));
        }

        if (Chance(8))
        {
            rule["examples"] = new JsonObject { ["match"] = List(0, 1, () => Pick(["cp -r /models /tmp", "ls"])), ["notMatch"] = List(0, 1, () => Pick(["ls"], "")) };
        }

        return rule;
    }

    private JsonObject Condition(int depth)
    {
        var when = new JsonObject();
        void Maybe(string key, Func<JsonNode?> value)
        {
            if (Chance(3))
            {
                when[key] = value();
            }
        }

        Maybe("capabilities", () => List(1, 2, () => Pick(Capabilities)));
        Maybe("operations", () => List(1, 2, () => Pick(Operations)));
        Maybe("resources", () => List(1, 2, () => Pick(Resources)));
        Maybe("paths", () => List(1, 2, () => Pick(Paths)));
        Maybe("programs", () => List(1, 2, () => Pick(Programs)));
        Maybe("programClasses", () => List(1, 1, () => Pick(["inference-server", "trainer", "shell"])));
        Maybe("arguments", () => List(1, 1, () => Pick(Regexes)));
        Maybe("hosts", () => List(1, 1, () => Pick(Hosts)));
        Maybe("ports", () => List(1, 2, () => Chance(2) ? JsonValue.Create(Pick([22, 8000], 70000)) : JsonValue.Create(Pick(["8000-8100"], "9-3", "x"))));
        Maybe("detached", () => Chance(2));
        Maybe("direction", () => Pick(["upload", "download"], "sideways"));
        Maybe("tools", () => List(1, 1, () => Pick(Tools)));
        Maybe("self", () => Chance(2));
        if (depth == 0 && Chance(5))
        {
            when["unless"] = Condition(depth + 1);
        }

        if (depth == 0 && Chance(6))
        {
            when["history"] = new JsonObject { ["match"] = Condition(depth + 1), ["within"] = Pick([1, 10], 0), ["atLeast"] = Pick([1, 2], 0) };
        }

        if (when.Count == 0)
        {
            when["capabilities"] = List(1, 1, () => Pick(Capabilities));
        }

        return when;
    }

    private bool Chance(int oneIn) => random.Next(oneIn) == 0;

    private T Pick<T>(T[] values) => values[random.Next(values.Length)];

    // One pick in InvalidOneIn is an invalid value (when there are some), so that most policies load.
    private T Pick<T>(T[] valid, params T[] invalid) =>
        invalid.Length > 0 && random.Next(InvalidOneIn) == 0 ? Pick(invalid) : Pick(valid);

    private string Pick(Vocabulary vocabulary) => Pick(vocabulary.Valid, vocabulary.Invalid);

    private sealed record Vocabulary(string[] Valid, params string[] Invalid);

    private JsonArray List(int min, int max, Func<JsonNode?> item)
    {
        var array = new JsonArray();
        for (var i = random.Next(min, max + 1); i > 0; i--)
        {
            array.Add(item());
        }

        return array;
    }
}
