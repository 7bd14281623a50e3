/**
 * IAM derived for the bill-export sources of gate 2: a dataexport source reads its export's prefix
 * (objects and listing, nothing else of the bucket); an athena source runs queries in its
 * workgroup, reads the Glue table and its data, and reads and writes its result location. Each
 * source declares this on itself (its `permissions`); the plan and the function only apply it.
 */
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { parseConfig } from '../../lambda/core/config/load';
import { BUILT_IN } from '../../lambda/registry';
import { planDeployment } from '../../lib/deployment-plan';
import { ReadinessGateFunction } from '../../lib/gate-function';
import { ReadinessResults } from '../../lib/results-store';

type Statement = { Sid?: string; Action: string | string[]; Resource: unknown; Condition?: Record<string, unknown> };

const config = (bill: string) => `version: 1
suite: acc
sources:
  ledger: { type: postgres, secretArn: arn:aws:secretsmanager:eu-west-1:123456789012:secret:db-AbCdEf }
  export: { type: dataexport, bucket: acme-cur, prefix: exports, exportName: acme-cur2 }
  query: { type: athena, workGroup: finops, dataLocation: s3://acme-cur/exports/acme-cur2/data/, outputLocation: s3://acme-athena-results/readiness/, region: eu-west-1 }
gates:
  cost: { ledger: { source: ledger }, aws: { source: ${bill} } }
`;
const plan = (bill: string) => planDeployment(parseConfig(BUILT_IN, config(bill), 'readiness.yaml', { resolveEnv: false }), { historyTable: 'History' });
const sidsOf = (bill: string) => plan(bill).gates[0].permissions.map((p) => p.sid);

describe('access of gate 2 with a dataexport or athena source', () => {
  it('a dataexport source reads its export prefix; an athena source its workgroup, table and S3 locations', () => {
    expect(sidsOf('export')).toEqual(expect.arrayContaining(['ReadExport', 'ReadExportList']));
    expect(sidsOf('export')).not.toEqual(expect.arrayContaining(['AthenaQuery']));
    expect(sidsOf('query')).toEqual(
      expect.arrayContaining(['AthenaQuery', 'AthenaTable', 'AthenaData', 'AthenaDataList', 'AthenaResultsBucket', 'AthenaResults', 'AthenaResultsList']),
    );
    expect(plan('query').warnings).toEqual([]);
  });

  it('warns at synth when an athena source names no data or result location (no S3 grant can be derived)', () => {
    const text = config('query').replace(', outputLocation: s3://acme-athena-results/readiness/', '');
    const warnings = planDeployment(parseConfig(BUILT_IN, text, 'readiness.yaml', { resolveEnv: false }), { historyTable: 'History' }).warnings;
    expect(warnings).toEqual([expect.stringMatching(/^sources\.query: an athena source without outputLocation gets no S3 grant/)]);
  });

  it('turns them into statements limited to those prefixes, workgroup and table, and passes cdk-nag with the prefixes acknowledged', () => {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    const stack = new Stack(app, 'Exports', { env: { account: '123456789012', region: 'eu-west-1' } });
    const results = new ReadinessResults(stack, 'Results');
    const failures = new Queue(stack, 'Failures');
    const exportPlan = plan('export').gates[0];
    const queryPlan = plan('query').gates[0];
    new ReadinessGateFunction(stack, 'Cost', {
      suite: 'acc',
      results,
      failures,
      plan: { ...exportPlan, permissions: [...exportPlan.permissions, ...queryPlan.permissions.filter((p) => p.sid.startsWith('Athena'))] },
    });
    const statements = Object.values(Template.fromStack(stack).findResources('AWS::IAM::Policy')).flatMap(
      (p) => (p as any).Properties.PolicyDocument.Statement as Statement[],
    );
    const bySid = (sid: string) => statements.find((s) => s.Sid === sid)!;
    expect(bySid('ReadExport')).toMatchObject({
      Action: 's3:GetObject',
      Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':s3:::acme-cur/exports/acme-cur2/*']] },
    });
    expect(bySid('ReadExportList')).toMatchObject({ Action: 's3:ListBucket', Condition: { StringLike: { 's3:prefix': ['exports/acme-cur2/*'] } } });
    expect(bySid('AthenaQuery').Action).toEqual([
      'athena:StartQueryExecution',
      'athena:GetQueryExecution',
      'athena:GetQueryResults',
      'athena:StopQueryExecution',
    ]);
    expect(JSON.stringify(bySid('AthenaQuery').Resource)).toContain(':athena:eu-west-1:123456789012:workgroup/finops');
    expect(JSON.stringify(bySid('AthenaTable').Resource)).toContain(':glue:eu-west-1:123456789012:table/cid_data_export/cur2');
    expect(bySid('AthenaResults').Action).toEqual(['s3:GetObject', 's3:PutObject', 's3:AbortMultipartUpload']);
    expect(statements.filter((s) => JSON.stringify(s.Resource) === '"*"').flatMap((s) => [s.Action].flat())).not.toEqual(
      expect.arrayContaining([expect.stringMatching(/^(s3|athena|glue):/)]),
    );
    for (const pack of [new AwsSolutionsChecks(), new ServerlessChecks()]) {
      // Only the gate function's own resources: the queue here is a bare test double.
      const ours = pack
        .validateScope(app)
        .violations.flatMap((v) =>
          v.violatingResources.filter((r) => (r.constructPath ?? '').startsWith('Exports/Cost')).map((r) => `${v.ruleName}: ${r.constructPath}`),
        );
      expect(ours).toEqual([]);
    }
  });
});
