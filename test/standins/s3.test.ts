import { GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { gzipSync } from 'node:zlib';
import { startS3, type S3StandIn } from './s3';

/** The S3 stand-in against docs/contracts/s3.md, one test per rule, through the real @aws-sdk/client-s3. */
let s3: S3StandIn;
const clients: S3Client[] = [];
const client = (region = 'us-east-1', followRegionRedirects = false) => {
  const c = new S3Client({
    region,
    endpoint: s3.endpoint,
    credentials: { accessKeyId: 'AKIDSTANDIN', secretAccessKey: 'x' },
    maxAttempts: 1,
    followRegionRedirects,
  });
  clients.push(c);
  return c;
};
const get = (bucket: string, key: string, c = client(), range?: string) => c.send(new GetObjectCommand({ Bucket: bucket, Key: key, Range: range }));
const refusal = (bucket: string, key: string, c = client()) =>
  get(bucket, key, c).then(
    () => undefined,
    (e: { name: string; $metadata: { httpStatusCode?: number } }) => e,
  );

beforeAll(async () => {
  s3 = await startS3({ buckets: [{ name: 'listed' }, { name: 'unlisted', canList: false }, { name: 'eu-exports', region: 'eu-west-1' }] });
  s3.put('listed', 'cur/2024-05.csv', 'a,b\n1,2\n', { contentType: 'text/csv' });
  s3.put('listed', 'cur/2024-05.csv.gz', gzipSync('a,b\n1,2\n'), { contentType: 'text/csv', contentEncoding: 'gzip' });
  s3.put('eu-exports', 'cur.csv', 'eu\n');
});
afterAll(async () => {
  for (const c of clients) c.destroy();
  await s3.stop();
});

describe('S3 stand-in (docs/contracts/s3.md) through the real SDK client', () => {
  it('S3-1: GetObject is GET /<bucket>/<key>, path style for an IP endpoint', async () => {
    expect(await (await get('listed', 'cur/2024-05.csv')).Body!.transformToString()).toBe('a,b\n1,2\n');
    expect(s3.requests.at(-1)!.line).toBe('GET /listed/cur/2024-05.csv');
  });

  it('S3-2: a missing key is 404 NoSuchKey with s3:ListBucket, 403 AccessDenied without', async () => {
    expect(await refusal('listed', 'nope.csv')).toMatchObject({ name: 'NoSuchKey', $metadata: { httpStatusCode: 404 } });
    expect(await refusal('unlisted', 'nope.csv')).toMatchObject({ name: 'AccessDenied', $metadata: { httpStatusCode: 403 } });
  });

  it("S3-3: another Region's endpoint gets 301 PermanentRedirect with x-amz-bucket-region; the SDK follows it only when told to", async () => {
    const err = await refusal('eu-exports', 'cur.csv');
    expect(err).toMatchObject({ $metadata: { httpStatusCode: 301 } });
    const following = await get('eu-exports', 'cur.csv', client('us-east-1', true));
    expect(await following.Body!.transformToString()).toBe('eu\n');
    expect(s3.requests.slice(-2).map((r) => r.region)).toEqual(['us-east-1', 'eu-west-1']);
  });

  it('S3-4: the body comes back as stored; Content-Encoding only reports it', async () => {
    const out = await get('listed', 'cur/2024-05.csv.gz');
    expect(out.ContentEncoding).toBe('gzip');
    const bytes = await out.Body!.transformToByteArray();
    expect([bytes[0], bytes[1]]).toEqual([0x1f, 0x8b]);
  });

  it('S3-5: one byte range', async () => {
    const out = await get('listed', 'cur/2024-05.csv', client(), 'bytes=0-2');
    expect(await out.Body!.transformToString()).toBe('a,b');
    expect(out.ContentRange).toBe('bytes 0-2/8');
  });

  it('S3-6: errors are XML with Code and Message', async () => {
    const res = await fetch(`${s3.endpoint}/no-such-bucket/x`, {
      headers: { authorization: 'AWS4-HMAC-SHA256 Credential=AKID/20240101/us-east-1/s3/aws4_request' },
    });
    expect(res.status).toBe(404);
    expect(await res.text()).toMatch(/<Error><Code>NoSuchBucket<\/Code><Message>The specified bucket does not exist<\/Message>/);
  });

  it('S3-7: HeadObject answers headers only; a missing key is 404 NotFound with s3:ListBucket, 403 without', async () => {
    const head = await client().send(new HeadObjectCommand({ Bucket: 'listed', Key: 'cur/2024-05.csv' }));
    expect(head.ContentLength).toBe(8);
    await expect(client().send(new HeadObjectCommand({ Bucket: 'listed', Key: 'nope' }))).rejects.toMatchObject({
      name: 'NotFound',
      $metadata: { httpStatusCode: 404 },
    });
    await expect(client().send(new HeadObjectCommand({ Bucket: 'unlisted', Key: 'nope' }))).rejects.toMatchObject({ $metadata: { httpStatusCode: 403 } });
  });

  it('S3-8: ListObjectsV2 lists keys under a prefix in key order, 1,000 a page with a continuation token; AccessDenied without s3:ListBucket', async () => {
    for (let i = 0; i < 1005; i++) s3.put('listed', `many/${String(i).padStart(4, '0')}.json`, '{}', { lastModified: new Date(Date.UTC(2026, 0, 1, 0, 0, i)) });
    const first = await client().send(new ListObjectsV2Command({ Bucket: 'listed', Prefix: 'many/' }));
    expect(first.Contents).toHaveLength(1000);
    expect(first.IsTruncated).toBe(true);
    expect(first.Contents![0]).toMatchObject({ Key: 'many/0000.json', Size: 2, LastModified: new Date('2026-01-01T00:00:00Z') });
    const second = await client().send(new ListObjectsV2Command({ Bucket: 'listed', Prefix: 'many/', ContinuationToken: first.NextContinuationToken }));
    expect(second.Contents!.map((o) => o.Key)).toEqual(['many/1000.json', 'many/1001.json', 'many/1002.json', 'many/1003.json', 'many/1004.json']);
    expect(second.IsTruncated).toBe(false);
    await expect(client().send(new ListObjectsV2Command({ Bucket: 'unlisted', Prefix: '' }))).rejects.toMatchObject({ name: 'AccessDenied' });
  });
});
