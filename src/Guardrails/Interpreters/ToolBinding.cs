using System.Collections.Frozen;

namespace Guardrails.Interpreters;

/// <summary>The interpreters a tool can be bound to; each has a stable policy name.</summary>
internal enum InterpreterKind
{
    Shell,
    Python,
    FileWrite,
    FileEdit,
    FileRead,
    FileCopy,
    Process,
    Http,
    Generic,
}

/// <summary>
/// Says how to read one tool's arguments: which interpreter understands it, and for each role the interpreter needs
/// (<c>command</c>, <c>cwd</c>, <c>path</c>, …) which argument names may carry it, first present wins.
/// </summary>
internal sealed class ToolBinding
{
    private static readonly string[] CwdNames = ["cwd", "workdir", "working_directory", "workingDirectory", "directory", "dir", "Cwd", "working_dir"];

    // Claude Code (file_path, notebook_path), Cursor (target_file), Gemini CLI (absolute_path), Continue (filepath),
    // Windsurf (TargetFile, AbsolutePath), the MCP filesystem server (path).
    private static readonly string[] PathNames = ["file_path", "path", "filePath", "filepath", "filename", "file", "target_file", "absolute_path", "notebook_path", "TargetFile", "AbsolutePath"];

    public ToolBinding(InterpreterKind interpreter, IReadOnlyDictionary<string, string[]> arguments)
    {
        Interpreter = interpreter;
        Arguments = arguments.ToFrozenDictionary(StringComparer.Ordinal);
        Utf8Names = Arguments.ToFrozenDictionary(p => p.Key, p => p.Value.Select(n => System.Text.Encoding.UTF8.GetBytes(n)).ToArray(), StringComparer.Ordinal);
    }

    /// <summary>Gets the argument names of each role as UTF-8, in the order of <see cref="Arguments"/>: JSON lookups by them need no transcoding.</summary>
    public FrozenDictionary<string, byte[][]> Utf8Names { get; }

    public InterpreterKind Interpreter { get; }

    public FrozenDictionary<string, string[]> Arguments { get; }

    /// <summary>Gets the candidate argument names for <paramref name="role"/>, or an empty array.</summary>
    public string[] Names(string role) => Arguments.TryGetValue(role, out var names) ? names : [];

    /// <summary>Gets the roles each interpreter understands, and the default argument names for each.</summary>
    public static FrozenDictionary<InterpreterKind, FrozenDictionary<string, string[]>> DefaultRoles { get; } = new Dictionary<InterpreterKind, FrozenDictionary<string, string[]>>
    {
        [InterpreterKind.Shell] = Roles(("command", ["command", "cmd", "script", "commandLine", "command_line", "CommandLine", "commands"]), ("cwd", CwdNames)),
        [InterpreterKind.Python] = Roles(("code", ["code", "script", "source", "python", "program", "query"]), ("cwd", CwdNames)),
        [InterpreterKind.FileWrite] = Roles(("path", PathNames), ("content", ["content", "contents", "text", "data", "file_text", "new_content", "CodeContent", "code"])),
        [InterpreterKind.FileEdit] = Roles(("path", PathNames), ("content", ["new_string", "new_str", "newString", "content", "replacement", "new_text", "edits", "code_edit", "file_text", "new_source", "changes", "code", "diff", "patch", "input"])),
        [InterpreterKind.FileRead] = Roles(("path", PathNames)),
        [InterpreterKind.FileCopy] = Roles(("source", ["source", "src", "from", "source_path", "sourcePath"]), ("destination", ["destination", "dest", "dst", "to", "target", "destination_path", "destinationPath"])),
        [InterpreterKind.Process] = Roles(("program", ["program", "executable", "command", "file", "fileName", "path"]), ("args", ["args", "arguments", "argv", "argumentList"]), ("cwd", CwdNames)),
        [InterpreterKind.Http] = Roles(("url", ["url", "uri", "endpoint", "URL", "link"]), ("method", ["method", "verb"]), ("body", ["body", "data", "json", "payload", "content"])),
        [InterpreterKind.Generic] = Roles(),
    }.ToFrozenDictionary();

    /// <summary>Gets the policy names of the interpreters.</summary>
    public static FrozenDictionary<string, InterpreterKind> InterpreterNames { get; } = new Dictionary<string, InterpreterKind>(StringComparer.Ordinal)
    {
        ["shell"] = InterpreterKind.Shell,
        ["python"] = InterpreterKind.Python,
        ["file-write"] = InterpreterKind.FileWrite,
        ["file-edit"] = InterpreterKind.FileEdit,
        ["file-read"] = InterpreterKind.FileRead,
        ["file-copy"] = InterpreterKind.FileCopy,
        ["process"] = InterpreterKind.Process,
        ["http"] = InterpreterKind.Http,
        ["generic"] = InterpreterKind.Generic,
    }.ToFrozenDictionary(StringComparer.Ordinal);

    /// <summary>
    /// Gets the bindings that work without configuration: the tool names of the product brief and of common agent
    /// frameworks and coding agents.
    /// </summary>
    public static FrozenDictionary<string, ToolBinding> Defaults { get; } = BuildDefaults();

    /// <summary>Creates a binding for <paramref name="interpreter"/> with its default argument names, overridden per role by <paramref name="overrides"/>.</summary>
    public static ToolBinding Create(InterpreterKind interpreter, IReadOnlyDictionary<string, List<string>>? overrides = null)
    {
        var roles = DefaultRoles[interpreter].ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);
        if (overrides is not null)
        {
            foreach (var (role, names) in overrides)
            {
                roles[role] = [.. names];
            }
        }

        return new ToolBinding(interpreter, roles);
    }

    private static FrozenDictionary<string, string[]> Roles(params (string Role, string[] Names)[] roles) =>
        roles.ToFrozenDictionary(r => r.Role, r => r.Names, StringComparer.Ordinal);

    private static FrozenDictionary<string, ToolBinding> BuildDefaults()
    {
        var map = new Dictionary<string, ToolBinding>(StringComparer.Ordinal);
        void Bind(InterpreterKind kind, params string[] names)
        {
            var binding = Create(kind);
            foreach (var name in names)
            {
                map[name] = binding;
            }
        }

        // Names are looked up exactly first, then case-insensitively (so "Bash" and "bash", "Read" and "read" are one).
        Bind(InterpreterKind.Shell, "bash", "shell", "sh", "run_shell_command", "execute_command", "run_terminal_cmd", "Bash", "terminal",
            "run_command", "execute_bash", "exec", "execute_command_in_terminal", "shell_exec", "run_in_terminal", "local_shell", "container.exec",
            "run_shell", "run_bash", "bash_command", "run_bash_command", "execute_shell", "execute_shell_command", "shell_command",
            "shell_execute", "run_shell_cmd", "run_cmd", "exec_command", "run_terminal_command", "builtin_run_terminal_command",
            "execute_terminal_command", "terminal_command", "terminal_execute");
        Bind(InterpreterKind.Python, "execute_python", "python", "run_python", "python_exec", "code_interpreter", "execute_code", "ipython",
            "run_python_code", "execute_python_code", "python_repl", "python_interpreter");
        Bind(InterpreterKind.FileWrite, "write_file", "Write", "create_file", "write_to_file", "save_file", "create",
            "file_write", "create_new_file", "builtin_create_new_file", "overwrite_file", "append_file", "append_to_file");
        Bind(InterpreterKind.FileEdit, "edit_file", "Edit", "MultiEdit", "str_replace_editor", "replace_in_file", "apply_patch", "edit", "str_replace_based_edit_tool", "NotebookEdit",
            "file_edit", "multi_edit", "replace", "str_replace", "search_replace", "replace_string_in_file", "insert_edit_into_file",
            "edit_existing_file", "builtin_edit_existing_file", "text_editor", "fs_write", "patch_file");
        Bind(InterpreterKind.FileRead, "read_file", "Read", "view_file", "open_file", "cat_file", "open",
            "file_read", "read_text_file", "builtin_read_file");
        Bind(InterpreterKind.FileCopy, "copy_file", "copy", "move_file", "move", "rename_file");
        Bind(InterpreterKind.Http, "http_request", "WebFetch", "fetch", "web_fetch", "http", "curl", "request",
            "http_get", "http_post", "fetch_url", "web_request", "requests_get", "requests_post", "download_file");
        Bind(InterpreterKind.Process, "start_process", "run_process", "spawn_process", "process_start", "launch_process",
            "create_process", "execute_process", "run_program", "launch_program");
        return map.ToFrozenDictionary(StringComparer.Ordinal);
    }
}
