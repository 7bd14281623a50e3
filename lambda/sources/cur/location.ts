import { createReadStream, statSync } from 'node:fs';
import { addAbortSignal, Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { describeError } from '../../core/errors';
import { fileKind } from '../../core/files';

/** An s3://bucket/key URL split, or undefined for a local path. */
export function parseS3Url(location: string): { bucket: string; key: string } | undefined {
  const m = /^s3:\/\/([^/]+)\/(.+)$/.exec(location);
  return m ? { bucket: m[1], key: m[2] } : undefined;
}

/**
 * Opens a local file or an s3:// object as a byte stream, gunzipped when it starts with the gzip
 * magic bytes (so `.csv` and `.csv.gz` both work whatever they are named). Nothing is buffered
 * beyond the stream's own chunks.
 */
export async function openLocation(location: string, opts: { region?: string; signal?: AbortSignal } = {}): Promise<Readable> {
  const s3 = parseS3Url(location);
  let raw: Readable;
  if (s3) {
    // A bucket answers only in its own Region; S3 names it in a 301 that the SDK follows when told to (S3-3).
    const client = new S3Client({ ...(opts.region ? { region: opts.region } : {}), followRegionRedirects: true });
    try {
      const out = await client.send(new GetObjectCommand({ Bucket: s3.bucket, Key: s3.key }), { abortSignal: opts.signal });
      raw = out.Body as Readable;
    } catch (err) {
      client.destroy();
      throw new Error(`cannot read ${location}: ${describeError(err)}${s3Hint(err)}`);
    }
    raw.once('close', () => client.destroy());
  } else {
    // A device or a FIFO never ends (and opening a FIFO blocks): only regular files are read.
    let stat;
    try {
      stat = statSync(location);
    } catch (err) {
      throw new Error(`cannot read ${location}: ${describeError(err)}${(err as NodeJS.ErrnoException).code === 'ENOENT' ? ' (file not found)' : ''}`);
    }
    if (!stat.isFile()) throw new Error(`cannot read ${location}: it is ${fileKind(stat)}, not a regular file`);
    raw = createReadStream(location);
    await new Promise<void>((resolve, reject) => {
      raw.once('open', () => resolve());
      raw.once('error', (err) =>
        reject(new Error(`cannot read ${location}: ${describeError(err)}${(err as NodeJS.ErrnoException).code === 'ENOENT' ? ' (file not found)' : ''}`)),
      );
    });
  }
  // The deadline stops the read itself (file or S3 body), not only the loop consuming it.
  if (opts.signal) addAbortSignal(opts.signal, raw);
  return gunzipIfCompressed(raw, location);
}

/** What an S3 refusal means for the object (docs/contracts/s3.md, S3-2). */
function s3Hint(err: unknown): string {
  const name = (err as { name?: string }).name;
  if (name === 'NoSuchKey') return ' (no object at that key)';
  if (name === 'AccessDenied') return ' (s3:GetObject is missing, or the object does not exist and s3:ListBucket is missing: S3 answers both alike)';
  return '';
}

async function gunzipIfCompressed(input: Readable, location: string): Promise<Readable> {
  const it = input[Symbol.asyncIterator]();
  const first = await it.next();
  async function* all(): AsyncGenerator<Buffer> {
    if (!first.done) yield first.value as Buffer;
    for (let r = await it.next(); !r.done; r = await it.next()) yield r.value as Buffer;
  }
  const head = first.done ? Buffer.alloc(0) : (first.value as Buffer);
  if (head.length >= 4 && head.readUInt32BE(0) === 0x504b0304) {
    input.destroy();
    throw new Error(`${location} is a ZIP archive; read the CSV inside it, or export the report with GZIP compression`);
  }
  if (head.length >= 4 && head.toString('latin1', 0, 4) === 'PAR1') {
    input.destroy();
    throw new Error(
      `${location} is a Parquet file, not CSV; read the export with a dataexport source (bucket, prefix, exportName), which reads Parquet and every file of every billing period through their manifests`,
    );
  }
  const source = Readable.from(all(), { objectMode: false });
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) {
    const gunzip = createGunzip();
    source.on('error', (err) => gunzip.destroy(err));
    // zlib says only "unexpected end of file" or "invalid block type": name the file and what that means.
    gunzip.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code?.startsWith('Z_')) err.message = `${location} is not a valid gzip file (truncated or corrupt): ${err.message}`;
    });
    return source.pipe(gunzip);
  }
  return source;
}
