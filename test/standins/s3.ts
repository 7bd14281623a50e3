import type { ServerResponse } from 'node:http';
import { listenLocal, sigV4Scope } from './aws-wire';

/**
 * A local Amazon S3 (REST-XML, path style) for GetObject and PutObject, as docs/contracts/s3.md
 * describes it (rule ids in the comments): buckets live in one Region, a missing key is 404 only
 * for callers allowed to list the bucket, bodies come back as stored.
 */
export interface StandInBucket {
  name: string;
  /** Default us-east-1. */
  region?: string;
  /** Whether the caller has s3:ListBucket (S3-2). Default true. */
  canList?: boolean;
  /** Whether the caller has s3:GetObject. Default true. */
  canRead?: boolean;
}

export interface StoredObject {
  body: string;
  bytes: Buffer;
  contentType?: string;
  contentEncoding?: string;
  /** Default: when it was put. */
  lastModified: Date;
}

export interface S3StandIn {
  endpoint: string;
  /** Objects by `bucket/key`. */
  objects: Map<string, StoredObject>;
  /** `<METHOD> <path>` of every request, and the Region each was signed for. */
  requests: { line: string; region: string }[];
  put(bucket: string, key: string, body: string | Buffer, meta?: { contentType?: string; contentEncoding?: string; lastModified?: Date }): void;
  stop(): Promise<void>;
}

function sendError(
  res: ServerResponse,
  status: number,
  code: string,
  message: string,
  extra: Record<string, string> = {},
  headers: Record<string, string> = {},
): void {
  const fields = Object.entries(extra)
    .map(([k, v]) => `<${k}>${v}</${k}>`)
    .join('');
  res.writeHead(status, { 'content-type': 'application/xml', 'x-amz-request-id': 'STANDIN', ...headers });
  res.end(
    `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message>${fields}<RequestId>STANDIN</RequestId><HostId>standin</HostId></Error>`,
  );
}

export async function startS3(opts: { buckets: StandInBucket[] }): Promise<S3StandIn> {
  const objects = new Map<string, StoredObject>();
  const requests: S3StandIn['requests'] = [];
  const put: S3StandIn['put'] = (bucket, key, body, meta = {}) => {
    const bytes = Buffer.isBuffer(body) ? body : Buffer.from(body);
    objects.set(`${bucket}/${key}`, { body: bytes.toString('utf8'), bytes, ...meta, lastModified: meta.lastModified ?? new Date() });
  };
  const server = await listenLocal((req, raw, res) => {
    const url = new URL(req.url ?? '/', 'http://standin');
    const scope = sigV4Scope(req);
    requests.push({ line: `${req.method} ${url.pathname}`, region: scope?.region ?? '' });
    // S3-1: path style /<bucket>/<key>.
    const [, bucketName = '', ...rest] = url.pathname.split('/');
    const key = decodeURIComponent(rest.join('/'));
    if (scope?.service !== 's3') return sendError(res, 403, 'AccessDenied', 'Access Denied');
    const bucket = opts.buckets.find((b) => b.name === bucketName);
    if (!bucket) return sendError(res, 404, 'NoSuchBucket', 'The specified bucket does not exist', { BucketName: bucketName });
    const region = bucket.region ?? 'us-east-1';
    // S3-3: another Region's endpoint (as the signature's scope says) is redirected, naming the bucket's Region.
    if (scope.region !== region) {
      return sendError(
        res,
        301,
        'PermanentRedirect',
        'The bucket you are attempting to access must be addressed using the specified endpoint. Please send all future requests to this endpoint.',
        { Endpoint: `${bucketName}.s3.${region}.amazonaws.com`, Bucket: bucketName },
        { 'x-amz-bucket-region': region },
      );
    }
    if (req.method === 'PUT') {
      put(bucketName, key, raw, { contentType: req.headers['content-type'], contentEncoding: req.headers['content-encoding'] as string | undefined });
      res.writeHead(200, { etag: '"0123456789abcdef0123456789abcdef"' });
      return res.end();
    }
    if (req.method === 'GET' && key === '' && url.searchParams.get('list-type') === '2') {
      // S3-8: ListObjectsV2, only for callers with s3:ListBucket; 1,000 keys a page at most, in key order.
      if (bucket.canList === false) return sendError(res, 403, 'AccessDenied', 'Access Denied');
      const prefix = url.searchParams.get('prefix') ?? '';
      const max = Math.min(1000, Number(url.searchParams.get('max-keys') ?? 1000));
      const after = url.searchParams.get('continuation-token') ? Buffer.from(url.searchParams.get('continuation-token')!, 'base64').toString('utf8') : '';
      const keys = [...objects.keys()]
        .filter((k) => k.startsWith(`${bucketName}/${prefix}`))
        .map((k) => k.slice(bucketName.length + 1))
        .filter((k) => k > after)
        .sort();
      const page = keys.slice(0, max);
      const truncated = keys.length > max;
      const xml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');
      res.writeHead(200, { 'content-type': 'application/xml' });
      return res.end(
        `<?xml version="1.0" encoding="UTF-8"?>\n<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>${bucketName}</Name><Prefix>${xml(prefix)}</Prefix><KeyCount>${page.length}</KeyCount><MaxKeys>${max}</MaxKeys><IsTruncated>${truncated}</IsTruncated>` +
          page
            .map(
              (k) =>
                `<Contents><Key>${xml(k)}</Key><LastModified>${objects.get(`${bucketName}/${k}`)!.lastModified.toISOString()}</LastModified><ETag>"0123456789abcdef0123456789abcdef"</ETag><Size>${objects.get(`${bucketName}/${k}`)!.bytes.length}</Size><StorageClass>STANDARD</StorageClass></Contents>`,
            )
            .join('') +
          (truncated ? `<NextContinuationToken>${Buffer.from(page[page.length - 1]).toString('base64')}</NextContinuationToken>` : '') +
          '</ListBucketResult>',
      );
    }
    if (req.method !== 'GET' && req.method !== 'HEAD')
      return sendError(res, 405, 'MethodNotAllowed', 'The specified method is not allowed against this resource.');
    if (bucket.canRead === false) return req.method === 'HEAD' ? (res.writeHead(403), res.end()) : sendError(res, 403, 'AccessDenied', 'Access Denied');
    const object = objects.get(`${bucketName}/${key}`);
    if (req.method === 'HEAD') {
      // S3-7: HeadObject answers with headers only; a missing key is 404 (403 without s3:ListBucket), no body.
      if (!object) {
        res.writeHead(bucket.canList === false ? 403 : 404, { 'x-amz-request-id': 'STANDIN' });
        return res.end();
      }
      res.writeHead(200, {
        'content-length': String(object.bytes.length),
        'last-modified': object.lastModified.toUTCString(),
        etag: '"0123456789abcdef0123456789abcdef"',
        'content-type': object.contentType ?? 'binary/octet-stream',
      });
      return res.end();
    }
    // S3-2: NoSuchKey only for a caller that may list the bucket.
    if (!object)
      return bucket.canList === false
        ? sendError(res, 403, 'AccessDenied', 'Access Denied')
        : sendError(res, 404, 'NoSuchKey', 'The specified key does not exist.', { Key: key });
    // S3-5: one byte range.
    const range = /^bytes=(\d+)-(\d*)$/.exec(String(req.headers.range ?? ''));
    const start = range ? Number(range[1]) : 0;
    const end = range?.[2] ? Math.min(Number(range[2]), object.bytes.length - 1) : object.bytes.length - 1;
    if (range && start >= object.bytes.length) return sendError(res, 416, 'InvalidRange', 'The requested range is not satisfiable');
    const bytes = object.bytes.subarray(start, end + 1);
    // S3-4: the body as stored; Content-Encoding only reports it.
    res.writeHead(range ? 206 : 200, {
      'content-type': object.contentType ?? 'binary/octet-stream',
      'content-length': String(bytes.length),
      ...(object.contentEncoding ? { 'content-encoding': object.contentEncoding } : {}),
      ...(range ? { 'content-range': `bytes ${start}-${end}/${object.bytes.length}` } : {}),
      etag: '"0123456789abcdef0123456789abcdef"',
      'last-modified': object.lastModified.toUTCString(),
    });
    res.end(bytes);
  });
  return { endpoint: server.endpoint, objects, requests, put, stop: server.stop };
}
