using System.Buffers.Binary;
using System.Security.Cryptography;

namespace MySqlProxy.Operations.Backups.Crypto;

/// <summary>
/// The format of an encrypted object: AES-256-GCM in authenticated chunks, so a stream of any length is
/// encrypted on the way without holding it whole, and a change, a truncation or a reordering is detected.
/// <code>
/// header  "MPXGCM01" (8) | file salt (16, random) | key id (8)
/// chunk   length (4, big-endian, of the plaintext) | final (1: 0 or 1) | ciphertext (length) | tag (16)
/// </code>
/// Each object gets its own key, HKDF-SHA256(repository key, salt); the nonce of chunk i is i (so never reused
/// under one key), and each chunk's associated data is the header, i and its final flag: a chunk moved, dropped
/// or marked final elsewhere fails authentication, and a stream that ends without a final chunk is truncated.
/// </summary>
internal static class ChunkedAesGcm
{
    public const int HeaderSize = 32;
    public const int TagSize = 16;
    public const int ChunkHeaderSize = 5;
    public const int DefaultChunkSize = 1 << 20;
    public const int MaxChunkSize = 16 << 20;

    public static ReadOnlySpan<byte> Magic => "MPXGCM01"u8;

    public static byte[] NewHeader(BackupKey key)
    {
        byte[] header = new byte[HeaderSize];
        Magic.CopyTo(header);
        RandomNumberGenerator.Fill(header.AsSpan(8, 16));
        key.IdBytes.CopyTo(header.AsSpan(24, 8));
        return header;
    }

    public static AesGcm CipherFor(BackupKey key, ReadOnlySpan<byte> header)
    {
        byte[] fileKey = new byte[32];
        HKDF.DeriveKey(HashAlgorithmName.SHA256, key.Material, fileKey, header.Slice(8, 16), "mysqlproxy backup chunks v1"u8);
        try
        {
            return new AesGcm(fileKey, TagSize);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(fileKey);
        }
    }

    public static void Nonce(long index, Span<byte> nonce)
    {
        nonce.Clear();
        BinaryPrimitives.WriteInt64BigEndian(nonce[4..], index);
    }

    public static void AssociatedData(ReadOnlySpan<byte> header, long index, bool final, Span<byte> aad)
    {
        header.CopyTo(aad);
        BinaryPrimitives.WriteInt64BigEndian(aad.Slice(HeaderSize, 8), index);
        aad[HeaderSize + 8] = final ? (byte)1 : (byte)0;
    }

    public const int AssociatedDataSize = HeaderSize + 9;
}

/// <summary>A write-only stream that encrypts what is written into the inner stream (see <see cref="ChunkedAesGcm"/>).</summary>
internal sealed class EncryptingStream : Stream
{
    private readonly Stream _inner;
    private readonly bool _leaveOpen;
    private readonly byte[] _header;
    private readonly AesGcm _cipher;
    private readonly byte[] _plain;
    private readonly byte[] _sealed;
    private int _filled;
    private long _index;
    private bool _headerWritten;
    private bool _finished;

    public EncryptingStream(Stream inner, BackupKey key, int chunkSize = ChunkedAesGcm.DefaultChunkSize, bool leaveOpen = false)
    {
        ArgumentNullException.ThrowIfNull(inner);
        ArgumentNullException.ThrowIfNull(key);
        ArgumentOutOfRangeException.ThrowIfLessThan(chunkSize, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(chunkSize, ChunkedAesGcm.MaxChunkSize);
        _inner = inner;
        _leaveOpen = leaveOpen;
        _header = ChunkedAesGcm.NewHeader(key);
        _cipher = ChunkedAesGcm.CipherFor(key, _header);
        _plain = new byte[chunkSize];
        _sealed = new byte[ChunkedAesGcm.ChunkHeaderSize + chunkSize + ChunkedAesGcm.TagSize];
    }

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => !_finished;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override void Write(byte[] buffer, int offset, int count) => WriteAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_finished, this);
        while (!buffer.IsEmpty)
        {
            if (_filled == _plain.Length)
            {
                await SealAsync(final: false, cancellationToken).ConfigureAwait(false);
            }

            int n = Math.Min(buffer.Length, _plain.Length - _filled);
            buffer.Span[..n].CopyTo(_plain.AsSpan(_filled));
            _filled += n;
            buffer = buffer[n..];
        }
    }

    /// <summary>Writes the final chunk; the object is complete only after this (or disposal).</summary>
    public async ValueTask FinishAsync(CancellationToken cancellationToken = default)
    {
        if (_finished)
        {
            return;
        }

        await SealAsync(final: true, cancellationToken).ConfigureAwait(false);
        _finished = true;
        await _inner.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    public override void Flush()
    {
    }

    public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override async ValueTask DisposeAsync()
    {
        try
        {
            await FinishAsync().ConfigureAwait(false);
        }
        finally
        {
            _cipher.Dispose();
            if (!_leaveOpen)
            {
                await _inner.DisposeAsync().ConfigureAwait(false);
            }

            await base.DisposeAsync().ConfigureAwait(false);
        }
    }

    private async ValueTask SealAsync(bool final, CancellationToken cancellationToken)
    {
        if (!_headerWritten)
        {
            await _inner.WriteAsync(_header, cancellationToken).ConfigureAwait(false);
            _headerWritten = true;
        }

        int length = _filled;
        Seal(length, final);
        await _inner.WriteAsync(_sealed.AsMemory(0, ChunkedAesGcm.ChunkHeaderSize + length + ChunkedAesGcm.TagSize), cancellationToken).ConfigureAwait(false);
        _filled = 0;
        _index++;
    }

    private void Seal(int length, bool final)
    {
        Span<byte> nonce = stackalloc byte[12];
        Span<byte> aad = stackalloc byte[ChunkedAesGcm.AssociatedDataSize];
        ChunkedAesGcm.Nonce(_index, nonce);
        ChunkedAesGcm.AssociatedData(_header, _index, final, aad);
        BinaryPrimitives.WriteInt32BigEndian(_sealed, length);
        _sealed[4] = final ? (byte)1 : (byte)0;
        Span<byte> ciphertext = _sealed.AsSpan(ChunkedAesGcm.ChunkHeaderSize, length);
        Span<byte> tag = _sealed.AsSpan(ChunkedAesGcm.ChunkHeaderSize + length, ChunkedAesGcm.TagSize);
        _cipher.Encrypt(nonce, _plain.AsSpan(0, length), ciphertext, tag, aad);
    }
}

/// <summary>
/// A read-only stream that decrypts and authenticates an object written by <see cref="EncryptingStream"/>.
/// Throws <see cref="BackupIntegrityException"/> for a wrong key, a changed byte, a truncation or trailing data.
/// </summary>
internal sealed class DecryptingStream : Stream
{
    private readonly Stream _inner;
    private readonly BackupKey _key;
    private readonly string _name;
    private readonly bool _leaveOpen;
    private byte[] _header = [];
    private AesGcm? _cipher;
    private byte[] _chunk = [];
    private byte[] _plain = [];
    private int _plainOffset;
    private int _plainLength;
    private long _index;
    private bool _sawFinal;

    public DecryptingStream(Stream inner, BackupKey key, string name, bool leaveOpen = false)
    {
        ArgumentNullException.ThrowIfNull(inner);
        ArgumentNullException.ThrowIfNull(key);
        _inner = inner;
        _key = key;
        _name = name;
        _leaveOpen = leaveOpen;
    }

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (buffer.IsEmpty)
        {
            return 0;
        }

        while (_plainOffset == _plainLength)
        {
            if (_sawFinal)
            {
                return 0;
            }

            await NextChunkAsync(cancellationToken).ConfigureAwait(false);
        }

        int n = Math.Min(buffer.Length, _plainLength - _plainOffset);
        _plain.AsMemory(_plainOffset, n).CopyTo(buffer);
        _plainOffset += n;
        return n;
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _cipher?.Dispose();
            if (!_leaveOpen)
            {
                _inner.Dispose();
            }
        }

        base.Dispose(disposing);
    }

    private async ValueTask NextChunkAsync(CancellationToken cancellationToken)
    {
        if (_cipher is null)
        {
            _header = new byte[ChunkedAesGcm.HeaderSize];
            int got = await ReadFullyAsync(_header, cancellationToken).ConfigureAwait(false);
            if (got < ChunkedAesGcm.HeaderSize || !_header.AsSpan(0, 8).SequenceEqual(ChunkedAesGcm.Magic))
            {
                throw new BackupIntegrityException($"{_name}: not an encrypted backup object (bad header)");
            }

            if (!_header.AsSpan(24, 8).SequenceEqual(_key.IdBytes))
            {
                throw new BackupIntegrityException(
                    $"{_name}: encrypted with key {Convert.ToHexStringLower(_header.AsSpan(24, 8))}, but the configured key is {_key.Id} (wrong key: check backups.encryption)");
            }

            _cipher = ChunkedAesGcm.CipherFor(_key, _header);
        }

        byte[] head = new byte[ChunkedAesGcm.ChunkHeaderSize];
        int headRead = await ReadFullyAsync(head, cancellationToken).ConfigureAwait(false);
        if (headRead == 0)
        {
            throw new BackupIntegrityException($"{_name}: truncated after chunk {_index - 1} (no final chunk)");
        }

        if (headRead < head.Length)
        {
            throw new BackupIntegrityException($"{_name}: truncated in the header of chunk {_index}");
        }

        int length = BinaryPrimitives.ReadInt32BigEndian(head);
        bool final = head[4] == 1;
        if (length < 0 || length > ChunkedAesGcm.MaxChunkSize || head[4] > 1)
        {
            throw new BackupIntegrityException($"{_name}: chunk {_index} has a corrupt header");
        }

        if (_chunk.Length < length + ChunkedAesGcm.TagSize)
        {
            _chunk = new byte[length + ChunkedAesGcm.TagSize];
            _plain = new byte[length];
        }

        int body = await ReadFullyAsync(_chunk.AsMemory(0, length + ChunkedAesGcm.TagSize), cancellationToken).ConfigureAwait(false);
        if (body < length + ChunkedAesGcm.TagSize)
        {
            throw new BackupIntegrityException($"{_name}: truncated in chunk {_index}");
        }

        Decrypt(length, final);
        _plainOffset = 0;
        _plainLength = length;
        _index++;
        if (final)
        {
            _sawFinal = true;
            byte[] probe = new byte[1];
            if (await _inner.ReadAsync(probe, cancellationToken).ConfigureAwait(false) != 0)
            {
                throw new BackupIntegrityException($"{_name}: data after the final chunk");
            }
        }
    }

    private void Decrypt(int length, bool final)
    {
        Span<byte> nonce = stackalloc byte[12];
        Span<byte> aad = stackalloc byte[ChunkedAesGcm.AssociatedDataSize];
        ChunkedAesGcm.Nonce(_index, nonce);
        ChunkedAesGcm.AssociatedData(_header, _index, final, aad);
        try
        {
            _cipher!.Decrypt(nonce, _chunk.AsSpan(0, length), _chunk.AsSpan(length, ChunkedAesGcm.TagSize), _plain.AsSpan(0, length), aad);
        }
        catch (AuthenticationTagMismatchException ex)
        {
            throw new BackupIntegrityException($"{_name}: chunk {_index} failed authentication (the object was changed, reordered or damaged)", ex);
        }
    }

    private async ValueTask<int> ReadFullyAsync(Memory<byte> buffer, CancellationToken cancellationToken)
    {
        int total = 0;
        while (total < buffer.Length)
        {
            int n = await _inner.ReadAsync(buffer[total..], cancellationToken).ConfigureAwait(false);
            if (n == 0)
            {
                break;
            }

            total += n;
        }

        return total;
    }
}
