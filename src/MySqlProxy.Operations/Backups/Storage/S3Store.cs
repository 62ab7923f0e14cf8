using System.Net;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using MySqlProxy.Core.Configuration;

namespace MySqlProxy.Operations.Backups.Storage;

/// <summary>
/// A repository in an S3 bucket (AWS or compatible: MinIO, Ceph, s3rver). Objects of unknown length go up as
/// multipart uploads of <c>part_size_mb</c>; small ones as one PUT. Payloads are sent unchunked
/// (<c>UseChunkEncoding = false</c>): some compatible stores (s3rver 3.7.1) store aws-chunked framing as data
/// without an error, which the repository would then catch only as a hash mismatch.
/// </summary>
public sealed class S3Store : IBackupStore, IDisposable
{
    private readonly AmazonS3Client _client;
    private readonly string _bucket;
    private readonly string _prefix;
    private readonly int _partSize;

    public S3Store(S3RepositoryOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        string secret = !string.IsNullOrEmpty(options.SecretKeyEnv)
            ? Environment.GetEnvironmentVariable(options.SecretKeyEnv) ?? throw new InvalidOperationException($"backups.repository.s3.secret_key_env: the environment variable '{options.SecretKeyEnv}' is not set")
            : options.SecretKey;
        var config = new AmazonS3Config
        {
            ForcePathStyle = options.ForcePathStyle,
            AuthenticationRegion = options.Region,
            RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
            ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
        };
        if (!string.IsNullOrEmpty(options.Endpoint))
        {
            config.ServiceURL = options.Endpoint;
        }
        else
        {
            config.RegionEndpoint = Amazon.RegionEndpoint.GetBySystemName(options.Region);
        }

        _client = new AmazonS3Client(new BasicAWSCredentials(options.AccessKey, secret), config);
        _bucket = options.Bucket;
        _prefix = options.Prefix.Trim('/');
        _partSize = Math.Clamp(options.PartSizeMb, 5, 1024) << 20;
        Location = $"s3://{_bucket}/{_prefix}";
    }

    public string Location { get; }

    /// <summary>Creates the bucket when it does not exist (tests, first use).</summary>
    public async Task EnsureBucketAsync(CancellationToken cancellationToken)
    {
        try
        {
            await _client.PutBucketAsync(new PutBucketRequest { BucketName = _bucket }, cancellationToken).ConfigureAwait(false);
        }
        catch (AmazonS3Exception ex) when (ex.StatusCode == HttpStatusCode.Conflict)
        {
            // BucketAlreadyOwnedByYou.
        }
    }

    public async Task<IObjectUpload> BeginUploadAsync(string key, CancellationToken cancellationToken)
    {
        await Task.CompletedTask.ConfigureAwait(false);
        return new Upload(this, KeyOf(key));
    }

    public async Task<Stream> OpenReadAsync(string key, CancellationToken cancellationToken)
    {
        try
        {
            GetObjectResponse response = await _client.GetObjectAsync(_bucket, KeyOf(key), cancellationToken).ConfigureAwait(false);
            return response.ResponseStream;
        }
        catch (AmazonS3Exception ex) when (ex.StatusCode == HttpStatusCode.NotFound)
        {
            throw new FileNotFoundException($"{key}: no such object in {Location}", key, ex);
        }
    }

    public async Task<long?> SizeAsync(string key, CancellationToken cancellationToken)
    {
        try
        {
            GetObjectMetadataResponse response = await _client.GetObjectMetadataAsync(_bucket, KeyOf(key), cancellationToken).ConfigureAwait(false);
            return response.ContentLength;
        }
        catch (AmazonS3Exception ex) when (ex.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    public async Task<IReadOnlyList<string>> ListAsync(string prefix, CancellationToken cancellationToken)
    {
        var keys = new List<string>();
        string? token = null;
        string full = KeyOf(prefix);
        do
        {
            ListObjectsV2Response page = await _client.ListObjectsV2Async(
                new ListObjectsV2Request { BucketName = _bucket, Prefix = full, ContinuationToken = token }, cancellationToken).ConfigureAwait(false);
            foreach (S3Object o in page.S3Objects ?? [])
            {
                keys.Add(_prefix.Length == 0 ? o.Key : o.Key[(_prefix.Length + 1)..]);
            }

            token = page.IsTruncated == true ? page.NextContinuationToken : null;
        }
        while (token is not null);
        keys.Sort(StringComparer.Ordinal);
        return keys;
    }

    public async Task DeleteAsync(string key, CancellationToken cancellationToken) =>
        await _client.DeleteObjectAsync(_bucket, KeyOf(key), cancellationToken).ConfigureAwait(false);

    public void Dispose() => _client.Dispose();

    private string KeyOf(string key) => _prefix.Length == 0 ? key : $"{_prefix}/{key}";

    /// <summary>Buffers one part; the first full part starts a multipart upload, a small object is one PUT.</summary>
    private sealed class Upload(S3Store store, string key) : Stream, IObjectUpload
    {
        private readonly MemoryStream _buffer = new();
        private readonly List<PartETag> _parts = [];
        private string? _uploadId;
        private bool _done;

        public Stream Stream => this;

        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override void Write(byte[] buffer, int offset, int count) => WriteAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            while (!buffer.IsEmpty)
            {
                int n = (int)Math.Min(buffer.Length, store._partSize - _buffer.Length);
                _buffer.Write(buffer.Span[..n]);
                buffer = buffer[n..];
                if (_buffer.Length >= store._partSize)
                {
                    await SendPartAsync(cancellationToken).ConfigureAwait(false);
                }
            }
        }

        public override void Flush()
        {
        }

        public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public async Task CompleteAsync(CancellationToken cancellationToken)
        {
            if (_uploadId is null)
            {
                _buffer.Position = 0;
                await store._client.PutObjectAsync(new PutObjectRequest
                {
                    BucketName = store._bucket,
                    Key = key,
                    InputStream = _buffer,
                    AutoCloseStream = false,
                    UseChunkEncoding = false,
                }, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                if (_buffer.Length > 0)
                {
                    await SendPartAsync(cancellationToken).ConfigureAwait(false);
                }

                await store._client.CompleteMultipartUploadAsync(new CompleteMultipartUploadRequest
                {
                    BucketName = store._bucket,
                    Key = key,
                    UploadId = _uploadId,
                    PartETags = _parts,
                }, cancellationToken).ConfigureAwait(false);
            }

            _done = true;
        }

        public override async ValueTask DisposeAsync()
        {
            if (!_done && _uploadId is not null)
            {
                try
                {
                    await store._client.AbortMultipartUploadAsync(store._bucket, key, _uploadId).ConfigureAwait(false);
                }
                catch (AmazonServiceException)
                {
                    // Best effort: a lifecycle rule or a later expiry removes what is left.
                }
            }

            _done = true;
            await _buffer.DisposeAsync().ConfigureAwait(false);
            await base.DisposeAsync().ConfigureAwait(false);
        }

        private async Task SendPartAsync(CancellationToken cancellationToken)
        {
            _uploadId ??= (await store._client.InitiateMultipartUploadAsync(
                new InitiateMultipartUploadRequest { BucketName = store._bucket, Key = key }, cancellationToken).ConfigureAwait(false)).UploadId;
            int number = _parts.Count + 1;
            _buffer.Position = 0;
            UploadPartResponse response = await store._client.UploadPartAsync(new UploadPartRequest
            {
                BucketName = store._bucket,
                Key = key,
                UploadId = _uploadId,
                PartNumber = number,
                InputStream = _buffer,
                PartSize = _buffer.Length,
                UseChunkEncoding = false,
            }, cancellationToken).ConfigureAwait(false);
            _parts.Add(new PartETag(number, response.ETag));
            _buffer.SetLength(0);
        }
    }
}
