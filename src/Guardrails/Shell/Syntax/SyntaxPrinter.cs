using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;

namespace Guardrails.Shell.Syntax;

/// <summary>
/// Renders syntax nodes as normalized shell-like text for messages and logs: quotes removed from static text,
/// expansions and substitutions in one canonical spelling. It is meant for humans, not for re-parsing.
/// </summary>
internal static class SyntaxPrinter
{
    public static string Print(Node node)
    {
        var builder = new StringBuilder();
        Append(builder, node);
        return builder.ToString();
    }

    private static void Append(StringBuilder b, Node node)
    {
        if (!RuntimeHelpers.TryEnsureSufficientExecutionStack())
        {
            b.Append('…');
            return;
        }

        switch (node)
        {
            case Script script:
                Append(b, script.Body);
                break;
            case CommandList list:
                for (var i = 0; i < list.Items.Count; i++)
                {
                    if (i > 0)
                    {
                        b.Append(list.Items[i - 1].Background ? " " : "; ");
                    }

                    Append(b, list.Items[i]);
                }

                break;
            case ListItem item:
                Append(b, item.Command);
                if (item.Background)
                {
                    b.Append(" &");
                }

                break;
            case AndOrList andOr:
                Append(b, andOr.First);
                foreach (var (op, pipeline) in andOr.Rest)
                {
                    b.Append(op == AndOrOperator.And ? " && " : " || ");
                    Append(b, pipeline);
                }

                break;
            case Pipeline pipeline:
                AppendPipeline(b, pipeline);
                break;
            case Command command:
                AppendCommand(b, command);
                break;
            case CaseItem caseItem:
                AppendJoined(b, caseItem.Patterns, "|");
                b.Append(") ");
                Append(b, caseItem.Body);
                b.Append(";;");
                break;
            case Assignment assignment:
                b.Append(assignment.Name).Append(assignment.Append ? "+=" : "=");
                if (assignment.ArrayValue is not null)
                {
                    b.Append('(');
                    AppendJoined(b, assignment.ArrayValue, " ");
                    b.Append(')');
                }
                else if (assignment.Value is not null)
                {
                    Append(b, assignment.Value);
                }

                break;
            case Redirection redirection:
                AppendRedirection(b, redirection);
                break;
            case HereDoc hereDoc:
                Append(b, hereDoc.Body);
                break;
            case Word word:
                foreach (var part in word.Parts)
                {
                    Append(b, part);
                }

                break;
            case WordPart part:
                AppendPart(b, part);
                break;
        }
    }

    private static void AppendPipeline(StringBuilder b, Pipeline pipeline)
    {
        if (pipeline.Negated)
        {
            b.Append("! ");
        }

        if (pipeline.Timed)
        {
            b.Append("time ");
        }

        for (var i = 0; i < pipeline.Commands.Count; i++)
        {
            if (i > 0)
            {
                b.Append(i - 1 < pipeline.PipeStderr.Count && pipeline.PipeStderr[i - 1] ? " |& " : " | ");
            }

            Append(b, pipeline.Commands[i]);
        }
    }

    private static void AppendCommand(StringBuilder b, Command command)
    {
        switch (command)
        {
            case SimpleCommand simple:
                var first = true;
                foreach (var node in simple.Children)
                {
                    if (!first)
                    {
                        b.Append(' ');
                    }

                    first = false;
                    Append(b, node);
                }

                return;
            case Subshell subshell:
                b.Append("( ");
                Append(b, subshell.Body);
                b.Append(" )");
                break;
            case BraceGroup group:
                b.Append("{ ");
                Append(b, group.Body);
                b.Append("; }");
                break;
            case FunctionDefinition function:
                b.Append(function.Name).Append("() ");
                Append(b, function.Body);
                break;
            case IfCommand ifCommand:
                for (var i = 0; i < ifCommand.Branches.Count; i++)
                {
                    b.Append(i == 0 ? "if " : "; elif ");
                    Append(b, ifCommand.Branches[i].Condition);
                    b.Append("; then ");
                    Append(b, ifCommand.Branches[i].Body);
                }

                if (ifCommand.Else is not null)
                {
                    b.Append("; else ");
                    Append(b, ifCommand.Else);
                }

                b.Append("; fi");
                break;
            case WhileCommand loop:
                b.Append(loop.IsUntil ? "until " : "while ");
                Append(b, loop.Condition);
                b.Append("; do ");
                Append(b, loop.Body);
                b.Append("; done");
                break;
            case ForCommand forCommand:
                AppendLoop(b, "for", forCommand.Variable, forCommand.Items, forCommand.Body);
                break;
            case SelectCommand select:
                AppendLoop(b, "select", select.Variable, select.Items, select.Body);
                break;
            case ArithmeticForCommand arithmeticFor:
                b.Append("for ((").Append(arithmeticFor.Init).Append(';').Append(arithmeticFor.Test).Append(';')
                    .Append(arithmeticFor.Update).Append(")); do ");
                Append(b, arithmeticFor.Body);
                b.Append("; done");
                break;
            case CaseCommand caseCommand:
                b.Append("case ");
                Append(b, caseCommand.Subject);
                b.Append(" in");
                foreach (var item in caseCommand.Items)
                {
                    b.Append(' ');
                    Append(b, item);
                }

                b.Append(" esac");
                break;
            case ConditionalCommand conditional:
                b.Append("[[ ");
                AppendJoined(b, conditional.Words, " ");
                b.Append(" ]]");
                break;
            case ArithmeticCommand arithmetic:
                b.Append("((").Append(arithmetic.Expression).Append("))");
                break;
            case CoprocCommand coproc:
                b.Append("coproc ");
                if (coproc.Name is not null)
                {
                    b.Append(coproc.Name).Append(' ');
                }

                Append(b, coproc.Body);
                break;
        }

        foreach (var redirection in command.Redirections)
        {
            b.Append(' ');
            AppendRedirection(b, redirection);
        }
    }

    private static void AppendLoop(StringBuilder b, string keyword, string variable, IReadOnlyList<Word>? items, CommandList body)
    {
        b.Append(keyword).Append(' ').Append(variable);
        if (items is not null)
        {
            b.Append(" in");
            foreach (var item in items)
            {
                b.Append(' ');
                Append(b, item);
            }
        }

        b.Append("; do ");
        Append(b, body);
        b.Append("; done");
    }

    private static void AppendRedirection(StringBuilder b, Redirection redirection)
    {
        if (redirection.Fd is { } fd)
        {
            b.Append(fd.ToString(CultureInfo.InvariantCulture));
        }
        else if (redirection.FdVariable is not null)
        {
            b.Append('{').Append(redirection.FdVariable).Append('}');
        }

        b.Append(redirection.Op switch
        {
            RedirectionOperator.Input => "<",
            RedirectionOperator.Output => ">",
            RedirectionOperator.Append => ">>",
            RedirectionOperator.Clobber => ">|",
            RedirectionOperator.ReadWrite => "<>",
            RedirectionOperator.DupInput => "<&",
            RedirectionOperator.DupOutput => ">&",
            RedirectionOperator.OutputAndError => "&>",
            RedirectionOperator.AppendOutputAndError => "&>>",
            RedirectionOperator.HereDoc => "<<",
            RedirectionOperator.HereDocStrip => "<<-",
            _ => "<<<",
        });
        if (redirection.HereDoc is not null)
        {
            b.Append(redirection.HereDoc.Delimiter);
        }
        else if (redirection.Target is not null)
        {
            Append(b, redirection.Target);
        }
    }

    private static void AppendPart(StringBuilder b, WordPart part)
    {
        switch (part)
        {
            case LiteralPart literal:
                b.Append(literal.Text);
                break;
            case SingleQuotedPart single:
                b.Append(single.Text);
                break;
            case AnsiCQuotedPart ansi:
                b.Append(ansi.Text);
                break;
            case DoubleQuotedPart dq:
                foreach (var inner in dq.Parts)
                {
                    Append(b, inner);
                }

                break;
            case LocaleQuotedPart locale:
                foreach (var inner in locale.Parts)
                {
                    Append(b, inner);
                }

                break;
            case ParameterExpansionPart parameter when !parameter.Braced:
                b.Append('$').Append(parameter.Name);
                break;
            case ParameterExpansionPart parameter:
                b.Append("${");
                if (parameter.Length)
                {
                    b.Append('#');
                }

                if (parameter.Indirect)
                {
                    b.Append('!');
                }

                b.Append(parameter.Name).Append(parameter.Operator);
                if (parameter.Argument is not null)
                {
                    Append(b, parameter.Argument);
                }

                b.Append('}');
                break;
            case CommandSubstitutionPart substitution:
                b.Append("$(");
                Append(b, substitution.Body);
                b.Append(')');
                break;
            case ArithmeticExpansionPart arithmetic:
                b.Append("$((").Append(arithmetic.Expression).Append("))");
                break;
            case ProcessSubstitutionPart process:
                b.Append(process.IsInput ? "<(" : ">(");
                Append(b, process.Body);
                b.Append(')');
                break;
            case BraceExpansionPart brace:
                b.Append('{');
                AppendJoined(b, brace.Alternatives, ",");
                b.Append('}');
                break;
            case BraceRangePart range:
                b.Append('{').Append(range.From).Append("..").Append(range.To);
                if (range.Step is not null)
                {
                    b.Append("..").Append(range.Step);
                }

                b.Append('}');
                break;
            case TildePart tilde:
                b.Append('~').Append(tilde.User);
                break;
            case GlobPart glob:
                b.Append(glob.Pattern);
                break;
        }
    }

    private static void AppendJoined(StringBuilder b, IEnumerable<Node> nodes, string separator)
    {
        var first = true;
        foreach (var node in nodes)
        {
            if (!first)
            {
                b.Append(separator);
            }

            first = false;
            Append(b, node);
        }
    }
}
