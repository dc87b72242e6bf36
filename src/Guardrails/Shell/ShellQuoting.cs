using System.Text;

namespace Guardrails.Shell;

/// <summary>Quotes text so that bash reads it back as one literal word.</summary>
internal static class ShellQuoting
{
    private static readonly System.Buffers.SearchValues<char> Special = System.Buffers.SearchValues.Create(" \t\n'\"\\$`|&;<>()*?[]{}~#!");

    public static string Quote(string text)
    {
        if (text.Length > 0 && !text.AsSpan().ContainsAny(Special))
        {
            return text;
        }

        var builder = new StringBuilder(text.Length + 2).Append('\'');
        foreach (var c in text)
        {
            if (c == '\'')
            {
                builder.Append("'\\''");
            }
            else
            {
                builder.Append(c);
            }
        }

        return builder.Append('\'').ToString();
    }
}
