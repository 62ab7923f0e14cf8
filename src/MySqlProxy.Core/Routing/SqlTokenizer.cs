using System.Runtime.CompilerServices;

namespace MySqlProxy.Core.Routing;

/// <summary>The kinds of token the classifier tells apart.</summary>
internal enum SqlTokenKind : byte
{
    /// <summary>No more tokens.</summary>
    End,

    /// <summary>A keyword or unquoted identifier.</summary>
    Word,

    /// <summary>A `backtick` quoted identifier (or "double quoted" under ANSI_QUOTES; treated as a string otherwise).</summary>
    QuotedIdentifier,

    /// <summary>A 'string' or "string" literal.</summary>
    String,

    /// <summary>A number, hex or bit literal.</summary>
    Number,

    /// <summary>A user variable <c>@name</c>.</summary>
    UserVariable,

    /// <summary>A system variable <c>@@name</c> or <c>@@session.name</c>.</summary>
    SystemVariable,

    /// <summary>A <c>?</c> placeholder.</summary>
    Placeholder,

    /// <summary>A statement separator <c>;</c>.</summary>
    Semicolon,

    /// <summary>Any other punctuation or operator (one or two characters).</summary>
    Punctuation,
}

/// <summary>
/// Splits statement text (UTF-8 bytes) into tokens without allocating: skips white space and comments
/// (<c>/* */</c>, <c>-- </c>, <c>#</c>), but reads the text of executable comments (<c>/*! ... */</c>,
/// <c>/*!50700 ... */</c>, MariaDB's <c>/*M! ... */</c>) as code; strings honour backslash escapes and
/// doubled quotes (https://mariadb.com/kb/en/comment-syntax/, https://mariadb.com/kb/en/string-literals/).
/// </summary>
internal ref struct SqlTokenizer
{
    private readonly ReadOnlySpan<byte> _sql;
    private int _position;
    private int _executableDepth;

    public SqlTokenizer(ReadOnlySpan<byte> sql)
    {
        _sql = sql;
        _position = 0;
        _executableDepth = 0;
        Kind = SqlTokenKind.End;
        Start = 0;
        Length = 0;
    }

    public SqlTokenKind Kind { get; private set; }

    /// <summary>Offset of the current token.</summary>
    public int Start { get; private set; }

    /// <summary>Length of the current token.</summary>
    public int Length { get; private set; }

    /// <summary>The current token's bytes.</summary>
    public readonly ReadOnlySpan<byte> Token => _sql.Slice(Start, Length);

    /// <summary>True when the current token touches a closing quote before it: the host part of 'user'@'host'.</summary>
    public readonly bool FollowsQuote => Start > 0 && _sql[Start - 1] is (byte)'\'' or (byte)'"' or (byte)'`';

    /// <summary>The text after the current token.</summary>
    public readonly ReadOnlySpan<byte> Rest => _sql[_position..];

    /// <summary>Moves to the next token; false at the end.</summary>
    public bool Next()
    {
        SkipTrivia();
        if (_position >= _sql.Length)
        {
            Kind = SqlTokenKind.End;
            Start = _sql.Length;
            Length = 0;
            return false;
        }

        int start = _position;
        byte c = _sql[start];
        SqlTokenKind kind;
        if (c is (byte)'\'' or (byte)'"')
        {
            _position = SkipQuoted(start);
            kind = SqlTokenKind.String;
        }
        else if (c == (byte)'`')
        {
            _position = SkipQuoted(start);
            kind = SqlTokenKind.QuotedIdentifier;
        }
        else if (c == (byte)'@')
        {
            if (start + 1 < _sql.Length && _sql[start + 1] == (byte)'@')
            {
                _position = SkipVariableName(start + 2, allowDot: true);
                kind = SqlTokenKind.SystemVariable;
            }
            else
            {
                _position = SkipVariableName(start + 1, allowDot: false);
                kind = SqlTokenKind.UserVariable;
            }
        }
        else if (IsDigit(c) || (c == (byte)'.' && start + 1 < _sql.Length && IsDigit(_sql[start + 1])))
        {
            _position = SkipNumber(start);
            kind = SqlTokenKind.Number;
        }
        else if (IsWordStart(c))
        {
            // x'0A' and b'01' are literals, N'..' and _utf8mb4'..' introduce strings.
            int end = start + 1;
            while (end < _sql.Length && IsWordPart(_sql[end]))
            {
                end++;
            }

            if (end < _sql.Length && _sql[end] == (byte)'\'' && (end - start == 1 || c == (byte)'_'))
            {
                _position = SkipQuoted(end);
                kind = (c | 0x20) is (byte)'x' or (byte)'b' ? SqlTokenKind.Number : SqlTokenKind.String;
            }
            else
            {
                _position = end;
                kind = SqlTokenKind.Word;
            }
        }
        else if (c == (byte)'?')
        {
            _position = start + 1;
            kind = SqlTokenKind.Placeholder;
        }
        else if (c == (byte)';')
        {
            _position = start + 1;
            kind = SqlTokenKind.Semicolon;
        }
        else
        {
            _position = start + 1;
            if (_position < _sql.Length && IsTwoCharOperator(c, _sql[_position]))
            {
                _position++;
            }

            kind = SqlTokenKind.Punctuation;
        }

        Kind = kind;
        Start = start;
        Length = _position - start;
        return true;
    }

    /// <summary>True when the current token is the keyword <paramref name="upper"/> (given in upper case), in any case.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly bool Is(ReadOnlySpan<byte> upper) => Kind == SqlTokenKind.Word && EqualsUpper(Token, upper);

    /// <summary>True when the current token is the punctuation character <paramref name="c"/>.</summary>
    public readonly bool IsPunctuation(byte c) => Kind == SqlTokenKind.Punctuation && Length == 1 && _sql[Start] == c;

    /// <summary>Case-insensitive ASCII comparison against an upper-case keyword.</summary>
    public static bool EqualsUpper(ReadOnlySpan<byte> token, ReadOnlySpan<byte> upper)
    {
        if (token.Length != upper.Length)
        {
            return false;
        }

        for (int i = 0; i < token.Length; i++)
        {
            int c = token[i];
            if ((uint)(c - 'a') <= 'z' - 'a')
            {
                c -= 32;
            }

            if (c != upper[i])
            {
                return false;
            }
        }

        return true;
    }

    private void SkipTrivia()
    {
        ReadOnlySpan<byte> sql = _sql;
        int i = _position;
        while (i < sql.Length)
        {
            byte c = sql[i];
            int cls = CharClasses[c];
            if ((cls & Space) != 0)
            {
                i++;
                continue;
            }

            if ((cls & TriviaStart) == 0)
            {
                // Not '/', '*', '#' or '-': the token starts here.
                break;
            }

            if (c == (byte)'/' && i + 1 < sql.Length && sql[i + 1] == (byte)'*')
            {
                // Executable comment: its content is code; its "*/" is skipped later.
                int body = i + 2;
                if (body < sql.Length && sql[body] == (byte)'!')
                {
                    body++;
                }
                else if (body + 1 < sql.Length && (sql[body] | 0x20) == (byte)'m' && sql[body + 1] == (byte)'!')
                {
                    body += 2;
                }
                else
                {
                    int end = sql[body..].IndexOf("*/"u8);
                    i = end < 0 ? sql.Length : body + end + 2;
                    continue;
                }

                while (body < sql.Length && IsDigit(sql[body]))
                {
                    body++;
                }

                _executableDepth++;
                i = body;
                continue;
            }

            if (c == (byte)'*' && _executableDepth > 0 && i + 1 < sql.Length && sql[i + 1] == (byte)'/')
            {
                _executableDepth--;
                i += 2;
                continue;
            }

            if (c == (byte)'#' || (c == (byte)'-' && i + 1 < sql.Length && sql[i + 1] == (byte)'-' &&
                (i + 2 >= sql.Length || sql[i + 2] is (byte)' ' or (byte)'\t' or (byte)'\n' or (byte)'\r')))
            {
                int end = sql[i..].IndexOf((byte)'\n');
                i = end < 0 ? sql.Length : i + end + 1;
                continue;
            }

            break;
        }

        _position = i;
    }

    private readonly int SkipQuoted(int start)
    {
        ReadOnlySpan<byte> sql = _sql;
        byte quote = sql[start];
        int i = start + 1;
        while (i < sql.Length)
        {
            int k = sql[i..].IndexOfAny(quote, (byte)'\\');
            if (k < 0)
            {
                return sql.Length;
            }

            i += k;
            if (sql[i] == (byte)'\\' && quote != (byte)'`')
            {
                i += 2;
                continue;
            }

            if (sql[i] == (byte)'\\')
            {
                i++;
                continue;
            }

            if (i + 1 < sql.Length && sql[i + 1] == quote)
            {
                i += 2;
                continue;
            }

            return i + 1;
        }

        return sql.Length;
    }

    private readonly int SkipVariableName(int i, bool allowDot)
    {
        ReadOnlySpan<byte> sql = _sql;
        if (i < sql.Length && sql[i] is (byte)'\'' or (byte)'"' or (byte)'`')
        {
            return SkipQuoted(i);
        }

        while (i < sql.Length && (IsWordPart(sql[i]) || (allowDot && sql[i] == (byte)'.')))
        {
            i++;
        }

        return i;
    }

    private readonly int SkipNumber(int i)
    {
        ReadOnlySpan<byte> sql = _sql;
        if (sql[i] == (byte)'0' && i + 1 < sql.Length && (sql[i + 1] | 0x20) is (byte)'x' or (byte)'b')
        {
            i += 2;
            while (i < sql.Length && IsWordPart(sql[i]))
            {
                i++;
            }

            return i;
        }

        while (i < sql.Length && (IsDigit(sql[i]) || sql[i] == (byte)'.'))
        {
            i++;
        }

        if (i < sql.Length && (sql[i] | 0x20) == (byte)'e')
        {
            int j = i + 1;
            if (j < sql.Length && sql[j] is (byte)'+' or (byte)'-')
            {
                j++;
            }

            if (j < sql.Length && IsDigit(sql[j]))
            {
                i = j;
                while (i < sql.Length && IsDigit(sql[i]))
                {
                    i++;
                }
            }
        }

        // An identifier may start with digits (1col): keep it one word.
        while (i < sql.Length && IsWordPart(sql[i]))
        {
            i++;
        }

        return i;
    }

    private static bool IsTwoCharOperator(byte a, byte b) =>
        (a, b) is ((byte)':', (byte)'=') or ((byte)'<', (byte)'=') or ((byte)'>', (byte)'=') or ((byte)'!', (byte)'=') or
            ((byte)'<', (byte)'>') or ((byte)'|', (byte)'|') or ((byte)'&', (byte)'&') or ((byte)'<', (byte)'<') or ((byte)'>', (byte)'>');

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool IsDigit(byte c) => (CharClasses[c] & Digit) != 0;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool IsWordStart(byte c) => (CharClasses[c] & WordStart) != 0;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool IsWordPart(byte c) => (CharClasses[c] & WordPart) != 0;

    private const int WordPart = 1;     // letters, digits, '_', '$', bytes of multi-byte UTF-8 characters
    private const int WordStart = 2;    // the same without digits
    private const int Space = 4;        // ' ', \t, \n, \r, \f, \v
    private const int Digit = 8;
    private const int TriviaStart = 16; // '/', '*', '#', '-': may start (or end) a comment

    /// <summary>Character classes of every byte value: one load instead of a chain of comparisons per byte.</summary>
    private static ReadOnlySpan<byte> CharClasses =>
    [
        0, 0, 0, 0, 0, 0, 0, 0, 0, 4, 4, 4, 4, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        4, 0, 0, 16, 3, 0, 0, 0, 0, 0, 16, 0, 0, 16, 0, 16, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 0, 0, 0, 0, 0, 0,
        0, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 0, 0, 0, 0, 3,
        0, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 0, 0, 0, 0, 0,
        3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3,
        3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3,
        3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3,
        3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3,
    ];
}
