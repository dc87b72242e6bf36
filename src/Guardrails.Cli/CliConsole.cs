namespace Guardrails.Cli;

/// <summary>The standard streams a command runs with, and what it may assume about the terminal.</summary>
/// <param name="In">Standard input as text.</param>
/// <param name="Out">Standard output. Buffered; <see cref="CliApp"/> flushes it when the command ends.</param>
/// <param name="Error">Standard error.</param>
/// <param name="OpenInput">Opens standard input as bytes (the real stdin stream, or <see cref="In"/> encoded as UTF-8).</param>
/// <param name="Styled">Whether output goes to a terminal that may show colours and Unicode markers.</param>
internal sealed record CliConsole(TextReader In, TextWriter Out, TextWriter Error, Func<Stream> OpenInput, bool Styled);
