using Guardrails.Actions;
using Guardrails.Interpreters;
using Guardrails.Shell;
using Guardrails.Shell.Programs;

namespace Guardrails.Sessions;

/// <summary>
/// Judges a script the agent wrote by its content when it is run: <c>bash f</c>, <c>sh f</c>, <c>source f</c>,
/// <c>./f</c>, <c>python3 f</c>. The content is analysed again, with the interpreter that will run it, as if it were
/// part of the call that runs it: its operations join the call's, with the span of the execution and a <c>Via</c> that
/// names the script. Scripts written earlier in the same call count as well as those the session remembers.
/// </summary>
internal static class ScriptExpansion
{
    private const int MaxExpansions = 16;

    private enum Language
    {
        Shell,
        Python,
    }

    /// <summary>Appends to the call's operations those of every known script it runs.</summary>
    public static void Expand(InterpretationContext context, SessionView? session)
    {
        var sink = context.Sink;
        Dictionary<string, string?>? written = null;
        var expansions = 0;
        for (var i = 0; i < sink.Operations.Count && !sink.IsFull; i++)
        {
            switch (sink.Operations[i])
            {
                case FileOperation { Action: FileAction.Write or FileAction.Append, Recursive: false, Sources.Count: 0 } file:
                    written ??= new Dictionary<string, string?>(StringComparer.Ordinal);
                    if (file.Action == FileAction.Write)
                    {
                        written[file.Path] = file.Content;
                    }
                    else if (file.Content is not null)
                    {
                        var before = written.TryGetValue(file.Path, out var text) ? text : session?.FindFile(file.Path)?.Content;
                        written[file.Path] = before + file.Content;
                    }

                    break;
                case ProcessLaunch launch when expansions < MaxExpansions:
                    if (ExpandLaunch(context, launch, written, session))
                    {
                        expansions++;
                    }

                    break;
            }
        }
    }

    private static bool ExpandLaunch(InterpretationContext context, ProcessLaunch launch, Dictionary<string, string?>? written, SessionView? session)
    {
        if (WebServerConfig.ConfigFile(launch.ProgramName, launch.Arguments) is { } config)
        {
            return ExpandServerConfig(context, launch, context.Catalog.Normalize(config, launch.WorkingDirectory), written, session);
        }

        string path;
        Language? language;
        if (launch.Script is { } script && RunnerLanguage(launch.ProgramName) is { } runner)
        {
            path = script;
            language = runner;
        }
        else if (SessionView.ProgramPath(launch, context.Catalog) is { } program)
        {
            path = program;
            language = null; // decided by the shebang
        }
        else
        {
            return false;
        }

        string? content;
        var via = ShellAnalyzer.Chain(launch.Via, "script " + path);
        if (written is not null && written.TryGetValue(path, out var fresh))
        {
            content = fresh;
        }
        else if (session?.FindFile(path) is { } tracked)
        {
            if (tracked.Downloaded || tracked.Oversized)
            {
                var reason = tracked.Downloaded
                    ? $"runs {path}, which was downloaded earlier in this session: its content cannot be analysed"
                    : $"runs {path}, which the agent wrote earlier in this session but which is too long to analyse";
                context.Sink.Add(new OpaqueCode(language == Language.Python ? "python" : "shell", reason) { Source = launch.Source, Span = launch.Span, Via = via });
                return true;
            }

            content = tracked.Content;
        }
        else
        {
            return false;
        }

        if (string.IsNullOrEmpty(content) || (language ??= ShebangLanguage(content)) is not { } chosen)
        {
            return false;
        }

        var invocation = new CommandInvocation
        {
            Program = launch.Program,
            Arguments = launch.Arguments,
            ArgumentSpans = [],
            Span = launch.Span,
            ProgramSpan = launch.Span,
            Source = launch.Source,
            WorkingDirectory = launch.WorkingDirectory,
            Detached = launch.Detached,
            DetachedBy = launch.DetachedBy,
            Via = launch.Via,
        };
        var analyzer = new ShellAnalyzer(context);
        if (chosen == Language.Python)
        {
            analyzer.AnalyzePython(content, launch.Span, invocation, "script " + path);
        }
        else
        {
            analyzer.AnalyzeShell(content, launch.Span, invocation, "script " + path);
        }

        return true;
    }

    /// <summary>A web server started with a configuration the agent wrote serves the directories that configuration names.</summary>
    private static bool ExpandServerConfig(InterpretationContext context, ProcessLaunch launch, string path, Dictionary<string, string?>? written, SessionView? session)
    {
        var content = written is not null && written.TryGetValue(path, out var fresh) ? fresh : session?.FindFile(path)?.Content;
        if (string.IsNullOrEmpty(content))
        {
            return false;
        }

        var roots = WebServerConfig.DocumentRoots(content);
        if (roots.Count == 0)
        {
            return false;
        }

        var via = ShellAnalyzer.Chain(launch.Via, "config " + path);
        context.Sink.Add(new NetworkListen(launch.ProgramName) { Source = launch.Source, Span = launch.Span, Via = via });
        context.Sink.Add(new NetworkTransfer(TransferDirection.Upload, launch.ProgramName)
        {
            Source = launch.Source,
            Span = launch.Span,
            Via = via,
            Host = "0.0.0.0",
            LocalPaths = roots.Select(root => context.Catalog.Normalize(root, launch.WorkingDirectory)).ToArray(),
        });
        return true;
    }

    private static Language? RunnerLanguage(string program)
    {
        if (program is "bash" or "sh" or "dash" or "zsh" or "ksh" or "ash" or "mksh" or "busybox" or "source" or ".")
        {
            return Language.Shell;
        }

        return program.StartsWith("python", StringComparison.Ordinal) || program.StartsWith("pypy", StringComparison.Ordinal) ? Language.Python : null;
    }

    /// <summary>Chooses the interpreter of an executed file from its <c>#!</c> line; a file without one is run by the shell.</summary>
    private static Language? ShebangLanguage(string content)
    {
        if (!content.StartsWith("#!", StringComparison.Ordinal))
        {
            return Language.Shell;
        }

        var end = content.IndexOf('\n', StringComparison.Ordinal);
        var line = end < 0 ? content : content[..end];
        if (line.Contains("python", StringComparison.Ordinal) || line.Contains("pypy", StringComparison.Ordinal))
        {
            return Language.Python;
        }

        return line.EndsWith("sh", StringComparison.Ordinal) || line.Contains("sh ", StringComparison.Ordinal) || line.Contains("/sh", StringComparison.Ordinal) || line.Contains("bash", StringComparison.Ordinal)
            ? Language.Shell
            : null;
    }
}
