using System.Collections;

namespace Guardrails.Shell.Programs;

/// <summary>
/// A read-only view of part of a list, so that unwrapping <c>sudo nohup timeout 5 cp …</c> costs nothing per level
/// (a slice of a slice refers to the original list).
/// </summary>
internal sealed class ListSlice<T> : IReadOnlyList<T>
{
    private readonly IReadOnlyList<T> _items;
    private readonly int _offset;

    private ListSlice(IReadOnlyList<T> items, int offset, int count)
    {
        _items = items;
        _offset = offset;
        Count = count;
    }

    public int Count { get; }

    public T this[int index] => (uint)index < (uint)Count ? _items[_offset + index] : throw new ArgumentOutOfRangeException(nameof(index));

    /// <summary>Creates a view of <paramref name="count"/> items of <paramref name="items"/> starting at <paramref name="start"/>.</summary>
    public static IReadOnlyList<T> Create(IReadOnlyList<T> items, int start, int count)
    {
        if (count <= 0)
        {
            return [];
        }

        if (start == 0 && count == items.Count)
        {
            return items;
        }

        return items is ListSlice<T> slice
            ? new ListSlice<T>(slice._items, slice._offset + start, count)
            : new ListSlice<T>(items, start, count);
    }

    public IEnumerator<T> GetEnumerator()
    {
        for (var i = 0; i < Count; i++)
        {
            yield return _items[_offset + i];
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
