using System.Text;

namespace MySqlProxy.LoadTest.Reporting;

/// <summary>A GitHub-flavoured markdown table with columns padded to their widest cell.</summary>
internal sealed class MarkdownTable
{
    private readonly string[] _headers;
    private readonly bool[] _rightAligned;
    private readonly List<string[]> _rows = [];

    /// <param name="columns">Header texts; a header ending in '>' is right-aligned (the '>' is dropped).</param>
    public MarkdownTable(params string[] columns)
    {
        ArgumentNullException.ThrowIfNull(columns);
        _headers = new string[columns.Length];
        _rightAligned = new bool[columns.Length];
        for (int i = 0; i < columns.Length; i++)
        {
            _rightAligned[i] = columns[i].EndsWith('>');
            _headers[i] = _rightAligned[i] ? columns[i][..^1] : columns[i];
        }
    }

    public MarkdownTable Row(params string[] cells)
    {
        ArgumentNullException.ThrowIfNull(cells);
        if (cells.Length != _headers.Length)
            throw new ArgumentException($"a row needs {_headers.Length} cells, not {cells.Length}", nameof(cells));
        _rows.Add(cells.Select(Escape).ToArray());
        return this;
    }

    public override string ToString()
    {
        int[] widths = new int[_headers.Length];
        for (int i = 0; i < widths.Length; i++)
        {
            widths[i] = Math.Max(3, _headers[i].Length);
            foreach (string[] row in _rows) widths[i] = Math.Max(widths[i], row[i].Length);
        }
        var sb = new StringBuilder();
        AppendLine(sb, _headers, widths);
        sb.Append('|');
        for (int i = 0; i < widths.Length; i++)
        {
            sb.Append(' ');
            if (_rightAligned[i]) sb.Append('-', widths[i] - 1).Append(':');
            else sb.Append('-', widths[i]);
            sb.Append(" |");
        }
        sb.Append('\n');
        foreach (string[] row in _rows) AppendLine(sb, row, widths);
        return sb.ToString();
    }

    private void AppendLine(StringBuilder sb, string[] cells, int[] widths)
    {
        sb.Append('|');
        for (int i = 0; i < cells.Length; i++)
        {
            sb.Append(' ');
            string cell = cells[i];
            if (_rightAligned[i]) sb.Append(' ', widths[i] - cell.Length).Append(cell);
            else sb.Append(cell).Append(' ', widths[i] - cell.Length);
            sb.Append(" |");
        }
        sb.Append('\n');
    }

    private static string Escape(string cell) => cell.Replace("|", "\\|", StringComparison.Ordinal).Replace('\n', ' ');
}
