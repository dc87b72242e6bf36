using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Guardrails.Fuzzing;

/// <summary>A failing input: what went wrong, and the input itself.</summary>
internal sealed record FuzzFinding(string Target, int Iteration, string Problem, byte[] Input)
{
    /// <summary>Gets a stable file name for the input (its content hash).</summary>
    public string FileName => "crash-" + Convert.ToHexStringLower(SHA256.HashData(Input))[..16];

    public override string ToString() =>
        $"{Target} iteration {Iteration}: {Problem}\n    input ({Input.Length} bytes): {Escape(Encoding.UTF8.GetString(Input))}";

    private static string Escape(string text)
    {
        var escaped = text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal).Replace("\r", "\\r", StringComparison.Ordinal);
        return escaped.Length > 600 ? escaped[..599] + "…" : escaped;
    }
}

/// <summary>
/// An in-process mutation fuzzer for the targets that runs wherever .NET runs (no instrumentation, no afl-fuzz): it
/// replays the seeds, then mutates inputs from a queue with afl-style havoc (bit flips, interesting bytes, block
/// deletion, duplication and splicing, dictionary tokens). Without coverage, its feedback is behaviour: an input is
/// queued when the target describes what it did in a way not seen before (new node kinds, rules, diagnostics).
/// Seeded, so the same seed replays the same run; bounded by iterations (tests) or by time (manual runs).
/// </summary>
internal sealed class MutationFuzzer
{
    private const int MaxQueue = 4096;

    private static readonly byte[] InterestingBytes = [0, 0xFF, 0x7F, 0x80, 0xC0, 0xE2, (byte)'\n', (byte)'"', (byte)'\\', (byte)'$', (byte)'(', (byte)')', (byte)'`', (byte)'{', (byte)'}', (byte)'[', (byte)']', (byte)'\'', (byte)';', (byte)'&', (byte)'|', (byte)'<', (byte)'>', (byte)' '];

    private readonly FuzzTarget _target;
    private readonly Random _random;
    private readonly byte[][] _tokens;
    private readonly List<byte[]> _queue = [];
    private readonly HashSet<string> _behaviours = new(StringComparer.Ordinal);

    public MutationFuzzer(FuzzTarget target, IEnumerable<byte[]> seeds, IEnumerable<string> tokens, int seed)
    {
        _target = target;
        _random = new Random(seed);
        _tokens = [.. tokens.Select(Encoding.UTF8.GetBytes).Where(t => t.Length > 0)];
        _queue.AddRange(seeds.Where(s => s.Length <= FuzzTarget.MaxInputBytes));
        if (_queue.Count == 0)
        {
            _queue.Add([]);
        }
    }

    /// <summary>Gets how many distinct behaviours the run has seen.</summary>
    public int Behaviours => _behaviours.Count;

    /// <summary>Gets how many inputs are queued for mutation.</summary>
    public int Queued => _queue.Count;

    /// <summary>Gets how many inputs were run.</summary>
    public long Executions { get; private set; }

    /// <summary>
    /// Runs every seed once, then mutated inputs until <paramref name="iterations"/> mutations ran or
    /// <paramref name="deadline"/> passed; stops at the first finding when <paramref name="stopAtFirst"/>.
    /// </summary>
    public List<FuzzFinding> Run(long iterations, DateTime? deadline = null, bool stopAtFirst = false)
    {
        var findings = new List<FuzzFinding>();
        foreach (var seed in _queue.ToList())
        {
            if (Execute(seed, -1) is { } finding)
            {
                findings.Add(finding);
                if (stopAtFirst)
                {
                    return findings;
                }
            }
        }

        for (long i = 0; i < iterations && (deadline is null || DateTime.UtcNow < deadline); i++)
        {
            var input = Mutate(_queue[_random.Next(_queue.Count)]);
            if (Execute(input, i) is { } finding)
            {
                findings.Add(finding);
                if (stopAtFirst)
                {
                    break;
                }
            }
        }

        return findings;
    }

    private FuzzFinding? Execute(byte[] input, long iteration)
    {
        Executions++;
        string behaviour;
        try
        {
            behaviour = _target.Run(input);
        }
#pragma warning disable CA1031 // Every exception is a finding.
        catch (Exception exception)
#pragma warning restore CA1031
        {
            var problem = exception is InvariantViolationException ? exception.Message : $"threw {exception.GetType().Name}: {exception.Message}\n{exception.StackTrace}";
            return new FuzzFinding(_target.Name, (int)Math.Min(iteration, int.MaxValue), problem, input);
        }

        if (_behaviours.Add(behaviour) && iteration >= 0)
        {
            if (_queue.Count >= MaxQueue)
            {
                _queue[_random.Next(_queue.Count)] = input;
            }
            else
            {
                _queue.Add(input);
            }
        }

        return null;
    }

    private byte[] Mutate(byte[] parent)
    {
        var data = new List<byte>(parent);
        for (var m = 1 << _random.Next(4); m > 0; m--)
        {
            var at = data.Count == 0 ? 0 : _random.Next(data.Count);
            switch (_random.Next(10))
            {
                case 0 when data.Count > 0:
                    data[at] ^= (byte)(1 << _random.Next(8));
                    break;
                case 1 when data.Count > 0:
                    data[at] = InterestingBytes[_random.Next(InterestingBytes.Length)];
                    break;
                case 2 when data.Count > 0:
                    data.RemoveRange(at, Math.Min(data.Count - at, 1 + _random.Next(16)));
                    break;
                case 3 when data.Count > 0:
                    var start = _random.Next(data.Count);
                    var length = Math.Min(data.Count - start, 1 + _random.Next(64));
                    var block = data.GetRange(start, length);
                    for (var copies = _random.Next(1, _random.Next(2) == 0 ? 3 : 40); copies > 0; copies--)
                    {
                        data.InsertRange(at, block);
                    }

                    break;
                case 4:
                    var other = _queue[_random.Next(_queue.Count)];
                    if (other.Length > 0)
                    {
                        var from = _random.Next(other.Length);
                        data.InsertRange(at, other.AsSpan(from, Math.Min(other.Length - from, 1 + _random.Next(128))).ToArray());
                    }

                    break;
                case 5 when data.Count > 0:
                    data.RemoveRange(at, data.Count - at);
                    break;
                case 6:
                    data.Insert(at, InterestingBytes[_random.Next(InterestingBytes.Length)]);
                    break;
                default:
                    if (_tokens.Length > 0)
                    {
                        data.InsertRange(at, _tokens[_random.Next(_tokens.Length)]);
                    }

                    break;
            }
        }

        return data.Count > FuzzTarget.MaxInputBytes ? [.. data.GetRange(0, FuzzTarget.MaxInputBytes)] : [.. data];
    }

    /// <summary>Reads the tokens of an afl-fuzz dictionary (lines <c>name="value"</c> with \\, \" and \xHH escapes).</summary>
    public static IEnumerable<string> ReadDictionary(string path)
    {
        if (!File.Exists(path))
        {
            yield break;
        }

        foreach (var line in File.ReadLines(path))
        {
            var open = line.IndexOf('"', StringComparison.Ordinal);
            var close = line.LastIndexOf('"');
            if (line.TrimStart().StartsWith('#') || open < 0 || close <= open)
            {
                continue;
            }

            var raw = line[(open + 1)..close];
            var value = new StringBuilder();
            for (var i = 0; i < raw.Length; i++)
            {
                if (raw[i] == '\\' && i + 1 < raw.Length)
                {
                    var next = raw[++i];
                    if (next == 'x' && i + 2 < raw.Length && byte.TryParse(raw.AsSpan(i + 1, 2), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var b))
                    {
                        value.Append((char)b);
                        i += 2;
                        continue;
                    }

                    value.Append(next);
                    continue;
                }

                value.Append(raw[i]);
            }

            yield return value.ToString();
        }
    }
}
