namespace Guardrails.Shell.Syntax;

/// <summary>
/// Enumerates every node of a tree without recursion, so consumers can find each command (including those nested in
/// substitutions, here-documents and arithmetic) without writing a visitor per node type.
/// </summary>
internal static class SyntaxWalker
{
    /// <summary>Yields <paramref name="root"/> and all its descendants, depth first, in source order.</summary>
    /// <param name="root">The node to start from.</param>
    /// <returns>The nodes.</returns>
    public static IEnumerable<Node> DescendantsAndSelf(Node root)
    {
        ArgumentNullException.ThrowIfNull(root);
        return Walk(root);
    }

    private static IEnumerable<Node> Walk(Node root)
    {
        var stack = new Stack<IEnumerator<Node>>();
        yield return root;
        stack.Push(root.Children.GetEnumerator());
        try
        {
            while (stack.Count > 0)
            {
                var top = stack.Peek();
                if (!top.MoveNext())
                {
                    stack.Pop().Dispose();
                    continue;
                }

                var node = top.Current;
                yield return node;
                stack.Push(node.Children.GetEnumerator());
            }
        }
        finally
        {
            while (stack.Count > 0)
            {
                stack.Pop().Dispose();
            }
        }
    }
}
