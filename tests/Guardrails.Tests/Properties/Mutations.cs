using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

namespace Guardrails.Tests.Properties;

/// <summary>Seeded mutations of text and of JSON values, the raw material of the property tests.</summary>
internal static class Mutations
{
    /// <summary>Characters that matter to the shell, to JSON and to Python, with plain letters and digits.</summary>
    public const string Alphabet = "$$(())``{}[]''\"\"\\\\\n;;&&||<>!*?#~=:,-+@%^/ \t._abcxyz019é\u0000\u202e";

    /// <summary>Pieces spliced into mutated text: syntax of the languages the guard reads, and replication fragments.</summary>
    public static readonly string[] Fragments =
    [
        "$(", ")", "`", "'", "\"", "\\", "<<EOF\n", "\nEOF\n", " | bash", "bash -c '", "eval ", "${x:-", "}", "<(", "&", ";", "&&",
        "||", "\n", "#", "nohup ", "setsid ", "sudo ", "xargs ", "base64 -d", "*", "~/", "$HOME", "/models/qwen", " --port 8001",
        "import os\n", "os.system(", "subprocess.run([", "exec(", "__import__(", "\"\"\"", "'''", "\\x", "\\u00", "{", "[", "]",
        "\":", "\",", "null", "true", "1e309", "-0", "\"\\ud800\"", "http://", "https://127.0.0.1:8000/", "file:///", "../",
        "/etc/cron.d/x", "~/.bashrc", "/proc/self/", "\u2028", "\uFEFF", new string('a', 300), new string('(', 40),
    ];

    /// <summary>Applies 1–<paramref name="maxMutations"/> character-level mutations to <paramref name="seed"/>.</summary>
    public static string MutateText(Random random, string seed, int maxMutations = 5, IReadOnlyList<string>? donors = null)
    {
        var builder = new StringBuilder(seed);
        for (var m = random.Next(1, maxMutations + 1); m > 0; m--)
        {
            var position = builder.Length == 0 ? 0 : random.Next(builder.Length + 1);
            switch (random.Next(8))
            {
                case 0:
                    builder.Insert(position, Alphabet[random.Next(Alphabet.Length)]);
                    break;
                case 1 when position < builder.Length:
                    builder.Remove(position, Math.Min(builder.Length - position, random.Next(1, 6)));
                    break;
                case 2 when position < builder.Length:
                    builder[position] = Alphabet[random.Next(Alphabet.Length)];
                    break;
                case 3 when builder.Length > 1:
                    var start = random.Next(builder.Length);
                    var length = Math.Min(builder.Length - start, random.Next(1, 30));
                    builder.Insert(position, builder.ToString(start, length));
                    break;
                case 4 when donors is { Count: > 0 }:
                    var donor = donors[random.Next(donors.Count)];
                    var from = random.Next(donor.Length + 1);
                    builder.Insert(position, donor.AsSpan(from, random.Next(donor.Length - from + 1)));
                    break;
                default:
                    builder.Insert(position, Fragments[random.Next(Fragments.Length)]);
                    break;
            }
        }

        return builder.ToString();
    }

    /// <summary>Returns random text of up to <paramref name="maxLength"/> characters over <see cref="Alphabet"/>.</summary>
    public static string RandomText(Random random, int maxLength = 100)
    {
        var builder = new StringBuilder();
        for (var i = random.Next(maxLength + 1); i > 0; i--)
        {
            builder.Append(random.Next(4) == 0 ? Fragments[random.Next(Fragments.Length)] : Alphabet[random.Next(Alphabet.Length)]);
        }

        return builder.ToString();
    }

    /// <summary>
    /// Mutates a JSON tree in place, 1–3 times: a value retyped, a string mutated or made huge, a key dropped, renamed or
    /// added, a value nested deeply. Returns the (possibly replaced) root.
    /// </summary>
    public static JsonNode? MutateJson(Random random, JsonNode? root, IReadOnlyList<string>? donors = null)
    {
        for (var m = random.Next(1, 4); m > 0; m--)
        {
            var nodes = new List<JsonNode>();
            Collect(root, nodes);
            if (nodes.Count == 0 || random.Next(12) == 0)
            {
                root = RandomValue(random, 0);
                continue;
            }

            var node = nodes[random.Next(nodes.Count)];
            switch (random.Next(7))
            {
                case 0:
                    root = Replace(root, node, RandomValue(random, 0));
                    break;
                case 1 when node is JsonValue value && value.TryGetValue<string>(out var text):
                    root = Replace(root, node, JsonValue.Create(MutateText(random, text, donors: donors)));
                    break;
                case 2 when node is JsonValue:
                    root = Replace(root, node, JsonValue.Create(new string((char)random.Next('a', 'z' + 1), random.Next(1_000, 40_000))));
                    break;
                case 3 when node is JsonObject obj && obj.Count > 0:
                    obj.Remove(obj.ElementAt(random.Next(obj.Count)).Key);
                    break;
                case 4 when node is JsonObject obj:
                    obj[RandomKey(random, obj)] = RandomValue(random, 0);
                    break;
                case 5:
                    JsonNode nested = JsonValue.Create("x")!;
                    for (var depth = random.Next(1, 60); depth > 0; depth--)
                    {
                        nested = random.Next(2) == 0 ? new JsonArray(nested) : new JsonObject { ["k"] = nested };
                    }

                    root = Replace(root, node, nested);
                    break;
                default:
                    if (node is JsonArray array)
                    {
                        array.Add(RandomValue(random, 0));
                    }
                    else if (node is JsonValue value2 && value2.TryGetValue<string>(out var text2))
                    {
                        root = Replace(root, node, new JsonArray(JsonValue.Create(text2)));
                    }

                    break;
            }
        }

        return root;
    }

    /// <summary>Returns a random JSON value: scalars of every type, strings from <see cref="Fragments"/>, small containers.</summary>
    public static JsonNode? RandomValue(Random random, int depth)
    {
        switch (random.Next(depth > 3 ? 6 : 8))
        {
            case 0: return null;
            case 1: return JsonValue.Create(random.Next(2) == 0);
            case 2: return JsonValue.Create(random.Next(int.MinValue, int.MaxValue));
            case 3: return JsonValue.Create(random.NextDouble() * Math.Pow(10, random.Next(-5, 300)));
            case 4: return JsonValue.Create(Fragments[random.Next(Fragments.Length)]);
            case 5: return JsonValue.Create(RandomText(random, 40));
            case 6:
                var array = new JsonArray();
                for (var i = random.Next(4); i > 0; i--)
                {
                    array.Add(RandomValue(random, depth + 1));
                }

                return array;
            default:
                var obj = new JsonObject();
                for (var i = random.Next(4); i > 0; i--)
                {
                    obj[RandomKey(random, obj)] = RandomValue(random, depth + 1);
                }

                return obj;
        }
    }

    private static string RandomKey(Random random, JsonObject obj)
    {
        string[] keys = ["command", "cmd", "code", "path", "file_path", "content", "url", "method", "body", "program", "args", "cwd", "source", "destination", "old_string", "new_string", "x", "", "COMMAND", "__proto__"];
        var key = keys[random.Next(keys.Length)];
        return obj.ContainsKey(key) ? key + random.Next(100).ToString(CultureInfo.InvariantCulture) : key;
    }

    private static void Collect(JsonNode? node, List<JsonNode> nodes)
    {
        if (node is null)
        {
            return;
        }

        nodes.Add(node);
        switch (node)
        {
            case JsonObject obj:
                foreach (var (_, child) in obj)
                {
                    Collect(child, nodes);
                }

                break;
            case JsonArray array:
                foreach (var child in array)
                {
                    Collect(child, nodes);
                }

                break;
        }
    }

    // Replaces node (somewhere under root, or root itself) with replacement; returns the new root.
    private static JsonNode? Replace(JsonNode? root, JsonNode node, JsonNode? replacement)
    {
        if (ReferenceEquals(root, node))
        {
            return replacement;
        }

        switch (node.Parent)
        {
            case JsonObject parent:
                parent[node.GetPropertyName()] = replacement;
                break;
            case JsonArray parent:
                parent[node.GetElementIndex()] = replacement;
                break;
        }

        return root;
    }
}
