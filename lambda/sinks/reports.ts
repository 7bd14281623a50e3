import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { redact } from '../core/redact';
import { renderJson } from '../core/report/json';
import { renderMarkdown } from '../core/report/markdown';
import type { ResultSink } from './sink';

/** report.json, report.md and the gate's artifacts under the run's prefix in the reports bucket. */
export function reportsSink(s3: S3Client, bucket: string): ResultSink {
  return {
    name: 'reports',
    async publish({ report, prefix }) {
      const files = [
        { name: 'report.json', contentType: 'application/json', content: renderJson(report) },
        { name: 'report.md', contentType: 'text/markdown; charset=utf-8', content: renderMarkdown(report) },
        ...report.results.flatMap((r) => r.artifacts ?? []),
      ];
      await Promise.all(
        files.map((f) => s3.send(new PutObjectCommand({ Bucket: bucket, Key: `${prefix}${f.name}`, Body: redact(f.content), ContentType: f.contentType }))),
      );
    },
  };
}
