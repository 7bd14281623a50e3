import { createReadStream } from 'node:fs';
import { open, readdir, readFile, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { pipeline, Transform, type Readable } from 'node:stream';
import { GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { describeError, SourceError } from '../../core/errors';

/** An object found under a prefix. */
export interface ListedObject {
  key: string;
  size: number;
  lastModified: Date;
}

/** What reading an export cost in S3 requests and bytes, for the report. */
export interface StoreUsage {
  /** GET and HEAD requests ($0.0004 per 1,000 in us-east-1). */
  gets: number;
  /** LIST requests ($0.005 per 1,000). */
  lists: number;
  bytes: number;
}

/**
 * Where an export's objects are read: an S3 bucket, or a local directory laid out like the bucket
 * (`aws s3 sync s3://bucket DIR`). Keys are the bucket's keys in both.
 */
export interface ObjectStore {
  /** `s3://bucket` or the local directory, for messages. */
  readonly label: string;
  /** Whether reading costs S3 requests (false for a local copy). */
  readonly remote: boolean;
  readonly usage: StoreUsage;
  /** The object's bytes, or undefined when there is no object at that key. */
  get(key: string, signal: AbortSignal): Promise<Buffer | undefined>;
  /** The object's size, or undefined when there is no object at that key. */
  size(key: string, signal: AbortSignal): Promise<number | undefined>;
  /** Bytes [start, end) of the object. */
  range(key: string, start: number, end: number, signal: AbortSignal): Promise<ArrayBuffer>;
  stream(key: string, signal: AbortSignal): Promise<Readable>;
  list(prefix: string, signal: AbortSignal): Promise<ListedObject[]>;
  /** The key an `s3://bucket/key` URI of a manifest names in this store. */
  keyOf(uri: string): string;
  close(): void;
}

/** The stream with its bytes added to `usage` as they pass (errors are forwarded). */
function counted(source: Readable, usage: StoreUsage): Readable {
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      usage.bytes += chunk.length;
      done(null, chunk);
    },
  });
  pipeline(source, counter, () => undefined);
  return counter;
}

const S3_URI = /^s3:\/\/([^/]+)\/(.*)$/;

/** What an S3 refusal means for the object (docs/contracts/s3.md, S3-2). */
function s3Hint(err: unknown): string {
  const name = (err as { name?: string }).name;
  if (name === 'AccessDenied' || (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 403) {
    return ' (s3:GetObject is missing, or the object does not exist and s3:ListBucket is missing: S3 answers both alike)';
  }
  return '';
}

const absent = (err: unknown) => {
  const e = err as { name?: string; $metadata?: { httpStatusCode?: number } };
  return e.name === 'NoSuchKey' || e.name === 'NotFound' || e.$metadata?.httpStatusCode === 404;
};

export class S3Store implements ObjectStore {
  readonly usage: StoreUsage = { gets: 0, lists: 0, bytes: 0 };
  readonly remote = true;
  readonly label: string;
  private readonly client: S3Client;

  constructor(
    private readonly bucket: string,
    region?: string,
  ) {
    this.label = `s3://${bucket}`;
    // A bucket answers only in its own Region; the SDK follows S3's redirect when told to (S3-3).
    // A local endpoint (AWS_ENDPOINT_URL_S3, an emulator on localhost) is addressed path-style (S3-1).
    const local = /^https?:\/\/(localhost|127\.|\[::1\])/.test(process.env.AWS_ENDPOINT_URL_S3 ?? process.env.AWS_ENDPOINT_URL ?? '');
    this.client = new S3Client({ ...(region ? { region } : {}), followRegionRedirects: true, ...(local ? { forcePathStyle: true } : {}) });
  }

  private fail(err: unknown, key: string): Error {
    if (err instanceof SourceError) return err;
    // A refused HeadObject has no body, so the SDK cannot name the error: it is S3's AccessDenied.
    const forbidden =
      (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 403 && (err as { name?: string }).name !== 'AccessDenied';
    return new SourceError('malformed', `cannot read s3://${this.bucket}/${key}: ${forbidden ? 'AccessDenied (HTTP 403)' : describeError(err)}${s3Hint(err)}`);
  }

  async get(key: string, signal: AbortSignal): Promise<Buffer | undefined> {
    this.usage.gets++;
    try {
      const out = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }), { abortSignal: signal });
      const bytes = Buffer.from(await out.Body!.transformToByteArray());
      this.usage.bytes += bytes.length;
      return bytes;
    } catch (err) {
      if (absent(err)) return undefined;
      throw this.fail(err, key);
    }
  }

  async size(key: string, signal: AbortSignal): Promise<number | undefined> {
    this.usage.gets++;
    try {
      const out = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }), { abortSignal: signal });
      return out.ContentLength ?? 0;
    } catch (err) {
      if (absent(err)) return undefined;
      throw this.fail(err, key);
    }
  }

  async range(key: string, start: number, end: number, signal: AbortSignal): Promise<ArrayBuffer> {
    this.usage.gets++;
    try {
      const out = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key, Range: `bytes=${start}-${end - 1}` }), { abortSignal: signal });
      const bytes = await out.Body!.transformToByteArray();
      this.usage.bytes += bytes.length;
      return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
    } catch (err) {
      throw this.fail(err, key);
    }
  }

  async stream(key: string, signal: AbortSignal): Promise<Readable> {
    this.usage.gets++;
    try {
      const out = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }), { abortSignal: signal });
      return counted(out.Body as Readable, this.usage);
    } catch (err) {
      throw this.fail(err, key);
    }
  }

  async list(prefix: string, signal: AbortSignal): Promise<ListedObject[]> {
    const found: ListedObject[] = [];
    let token: string | undefined;
    do {
      this.usage.lists++;
      let page;
      try {
        page = await this.client.send(new ListObjectsV2Command({ Bucket: this.bucket, Prefix: prefix, ...(token ? { ContinuationToken: token } : {}) }), {
          abortSignal: signal,
        });
      } catch (err) {
        throw new SourceError(
          'not-found',
          `cannot list s3://${this.bucket}/${prefix}: ${describeError(err)}${(err as { name?: string }).name === 'AccessDenied' ? ' (s3:ListBucket is missing)' : ''}`,
        );
      }
      for (const o of page.Contents ?? []) if (o.Key) found.push({ key: o.Key, size: o.Size ?? 0, lastModified: o.LastModified ?? new Date(0) });
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return found;
  }

  /** The key is read from this store's bucket: a replicated export keeps its keys while its manifests still name the bucket it was delivered to. */
  keyOf(uri: string): string {
    const m = S3_URI.exec(uri);
    return m ? m[2] : uri;
  }

  close(): void {
    this.client.destroy();
  }
}

/** A local copy of the bucket: `<root>/<key>`. */
export class LocalStore implements ObjectStore {
  readonly usage: StoreUsage = { gets: 0, lists: 0, bytes: 0 };
  readonly remote = false;

  constructor(private readonly root: string) {}

  get label(): string {
    return this.root;
  }

  private path(key: string): string {
    return join(this.root, ...key.split('/'));
  }

  async get(key: string): Promise<Buffer | undefined> {
    try {
      const bytes = await readFile(this.path(key));
      this.usage.bytes += bytes.length;
      return bytes;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw new SourceError('malformed', `cannot read ${this.path(key)}: ${describeError(err)}`);
    }
  }

  async size(key: string): Promise<number | undefined> {
    try {
      return (await stat(this.path(key))).size;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw new SourceError('malformed', `cannot read ${this.path(key)}: ${describeError(err)}`);
    }
  }

  async range(key: string, start: number, end: number): Promise<ArrayBuffer> {
    const handle = await open(this.path(key), 'r');
    try {
      const bytes = Buffer.alloc(end - start);
      await handle.read(bytes, 0, bytes.length, start);
      this.usage.bytes += bytes.length;
      return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length) as ArrayBuffer;
    } finally {
      await handle.close();
    }
  }

  async stream(key: string): Promise<Readable> {
    return counted(createReadStream(this.path(key)), this.usage);
  }

  async list(prefix: string): Promise<ListedObject[]> {
    const slash = prefix.lastIndexOf('/');
    const dir = this.path(prefix.slice(0, slash + 1));
    const found: ListedObject[] = [];
    const walk = async (d: string): Promise<void> => {
      let entries;
      try {
        entries = await readdir(d, { withFileTypes: true });
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
        throw err;
      }
      for (const e of entries) {
        const full = join(d, e.name);
        if (e.isDirectory()) await walk(full);
        else {
          const key = relative(this.root, full).split(sep).join('/');
          if (!key.startsWith(prefix)) continue;
          const s = await stat(full);
          found.push({ key, size: s.size, lastModified: s.mtime });
        }
      }
    };
    await walk(dir);
    return found;
  }

  /** A local copy holds one bucket: the bucket of an `s3://` URI is its root. */
  keyOf(uri: string): string {
    const m = S3_URI.exec(uri);
    return m ? m[2] : uri;
  }

  close(): void {}
}
