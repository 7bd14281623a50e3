/**
 * IAM derived for the bill-export sources of gate 2: a dataexport source reads its export's prefix
 * (objects and listing, nothing else of the bucket); an athena source runs queries in its
 * workgroup, reads the Glue table and its data, and reads and writes its result location.
 */
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { accessOf, type GatePlan } from '../../lib/deployment-plan';
import { ReadinessGateFunction } from '../../lib/gate-function';
import { ReadinessResults } from '../../lib/results-store';

type Statement = { Sid?: string; Action: string | string[]; Resource: unknown; Condition?: Record<string, unknown> };
const base = { version: 1 as const, suite: 'acc', gates: {} };
const sources = {
  export: { type: 'dataexport', bucket: 'acme-cur', prefix: 'exports', exportName: 'acme-cur2' },
  query: { type: 'athena', workGroup: 'finops', dataLocation: 's3://acme-cur/exports/acme-cur2/data/', outputLocation: 's3://acme-athena-results/readiness/', region: 'eu-west-1' },
};

describe('access of gate 2 with a dataexport or athena source', () => {
  it('derives the export prefix for a dataexport source, and workgroup, table and S3 locations for an athena source', () => {
    expect(accessOf('cost', { aws: { source: 'export' } }, { ...base, sources }).s3Prefixes).toEqual([{ bucket: 'acme-cur', prefix: 'exports/acme-cur2/' }]);
    const athena = accessOf('cost', { aws: { source: 'query' } }, { ...base, sources });
    expect(athena.athena).toEqual([
      { region: 'eu-west-1', workGroup: 'finops', database: 'cid_data_export', table: 'cur2', results: { bucket: 'acme-athena-results', prefix: 'readiness/' } },
    ]);
    expect(athena.s3Prefixes).toEqual([{ bucket: 'acme-cur', prefix: 'exports/acme-cur2/data/' }]);
  });

  it('turns them into statements limited to those prefixes, workgroup and table, and passes cdk-nag with the prefixes acknowledged', () => {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    const stack = new Stack(app, 'Exports', { env: { account: '123456789012', region: 'eu-west-1' } });
    const results = new ReadinessResults(stack, 'Results');
    const failures = new Queue(stack, 'Failures');
    const access = { ...accessOf('cost', { aws: { source: 'export' } }, { ...base, sources }), athena: accessOf('cost', { aws: { source: 'query' } }, { ...base, sources }).athena };
    const plan: GatePlan = { id: 'cost', title: 'cost', configJson: '{}', scheduleHours: 24, probeKeys: [], probesDeployed: false, timeoutSeconds: 120, access };
    new ReadinessGateFunction(stack, 'Cost', { suite: 'acc', results, failures, plan });
    const statements = Object.values(Template.fromStack(stack).findResources('AWS::IAM::Policy')).flatMap((p) => (p as any).Properties.PolicyDocument.Statement as Statement[]);
    const bySid = (sid: string) => statements.find((s) => s.Sid === sid)!;
    expect(bySid('ReadExport0')).toMatchObject({ Action: 's3:GetObject', Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':s3:::acme-cur/exports/acme-cur2/*']] } });
    expect(bySid('ReadExport0List')).toMatchObject({ Action: 's3:ListBucket', Condition: { StringLike: { 's3:prefix': ['exports/acme-cur2/*'] } } });
    expect(bySid('AthenaQuery0').Action).toEqual(['athena:StartQueryExecution', 'athena:GetQueryExecution', 'athena:GetQueryResults', 'athena:StopQueryExecution']);
    expect(JSON.stringify(bySid('AthenaQuery0').Resource)).toContain(':athena:eu-west-1:123456789012:workgroup/finops');
    expect(JSON.stringify(bySid('AthenaTable0').Resource)).toContain(':glue:eu-west-1:123456789012:table/cid_data_export/cur2');
    expect(bySid('AthenaResults0').Action).toEqual(['s3:GetObject', 's3:PutObject', 's3:AbortMultipartUpload']);
    expect(statements.filter((s) => JSON.stringify(s.Resource) === '"*"').flatMap((s) => [s.Action].flat())).not.toEqual(expect.arrayContaining([expect.stringMatching(/^(s3|athena|glue):/)]));
    for (const pack of [new AwsSolutionsChecks(), new ServerlessChecks()]) {
      // Only the gate function's own resources: the queue here is a bare test double.
      const ours = pack.validateScope(app).violations.flatMap((v) => v.violatingResources.filter((r) => (r.constructPath ?? '').startsWith('Exports/Cost')).map((r) => `${v.ruleName}: ${r.constructPath}`));
      expect(ours).toEqual([]);
    }
  });
});
