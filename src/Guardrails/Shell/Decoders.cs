namespace Guardrails.Shell;

/// <summary>Decodes the payload encodings agents use to hide commands (base64, hex), forgivingly and without throwing.</summary>
internal static class Decoders
{
    public static string? Base64(string text)
    {
        var compact = new string(text.Where(c => !char.IsWhiteSpace(c)).ToArray());
        if (compact.Length == 0)
        {
            return string.Empty;
        }

        var padded = compact.PadRight(compact.Length + ((4 - (compact.Length % 4)) % 4), '=');
        var buffer = new byte[(padded.Length / 4 * 3) + 3];
        return Convert.TryFromBase64String(padded, buffer, out var written)
            ? System.Text.Encoding.UTF8.GetString(buffer, 0, written)
            : null;
    }

    public static string? Hex(string text)
    {
        var compact = new string(text.Where(char.IsAsciiHexDigit).ToArray());
        if (compact.Length % 2 != 0)
        {
            return null;
        }

        try
        {
            return System.Text.Encoding.UTF8.GetString(Convert.FromHexString(compact));
        }
        catch (FormatException)
        {
            return null;
        }
    }
}
