/**
 * The hook handler against requests built from AWS's documented Lambda Hook input, one test per
 * documented field, with the history in dynalite. Each asserts the documented response shape:
 * hookStatus, errorCode only when FAILED, message, and the request's clientRequestToken echoed.
 */
import { createServer, type Server } from 'node:http';
import type { Context } from 'aws-lambda';
import { DeleteTableCommand } from '@aws-sdk/client-dynamodb';
import { acknowledgementRecord } from '../../lambda/core/acknowledgements';
import { historyKey } from '../../lambda/core/history';
import type { HookResponse } from '../../lambda/hook/contract';
import { HOOK_MESSAGE_LIMIT } from '../../lambda/hook/decision';
import { HOOK_ENV, type HookSettings } from '../../lambda/hook/settings';
import { DynamoDbHistoryStore } from '../../lambda/sources/dynamodb/history';
import { setEnv, startDynalite } from '../standins/dynalite';
import { changeSetRequest, createHistoryTable, stackRequest } from './support';

const TABLE = 'hook-handler-history';
const SETTINGS: HookSettings = {
  suite: 'acme-rag',
  gates: [
    { id: 'tenants', maxAgeHours: 2 },
    { id: 'cost', maxAgeHours: 48 },
  ],
  failureMode: 'FAIL',
  dashboardUrl: 'https://us-east-1.console.aws.amazon.com/cloudwatch/home?region=us-east-1#dashboards/dashboard/acme-rag-readiness',
};
const context = { getRemainingTimeInMillis: () => 20_000, awsRequestId: 'hook-req-1' } as unknown as Context;

describe('the hook handler, against the documented request fields', () => {
  let dynamo: Awaited<ReturnType<typeof startDynalite>>;
  let restore: () => void;
  let payloadServer: Server;
  let payloadUrl: string;
  let payloadRequests = 0;
  let handler: (event: unknown, context: Context) => Promise<HookResponse>;
  const settings = (over: Partial<HookSettings> = {}) => (process.env[HOOK_ENV.settings] = JSON.stringify({ ...SETTINGS, ...over }));

  let runs = 0;
  /** Appends a result as the gate handler does; each one is the gate's newest (`hoursAgo` only for the seed). */
  const append = (gate: 'tenants' | 'cost', status: string, summary = `${gate} ${status}`, hoursAgo = 0) => {
    const at = new Date(Date.now() - hoursAgo * 3_600_000).toISOString();
    return new DynamoDbHistoryStore(dynamo.client, TABLE).append({
      pk: historyKey.result('acme-rag', gate),
      sk: `${at}#req-${String(++runs).padStart(4, '0')}`,
      run: 'scheduled',
      status,
      summary,
    });
  };

  beforeAll(async () => {
    dynamo = await startDynalite();
    await createHistoryTable(dynamo.client, TABLE);
    payloadServer = createServer((_req, res) => {
      payloadRequests++;
      res.end('{"template":"{}","previousTemplate":"{}"}');
    });
    await new Promise<void>((r) => payloadServer.listen(0, '127.0.0.1', () => r()));
    payloadUrl = `http://127.0.0.1:${(payloadServer.address() as { port: number }).port}/presigned`;
    restore = setEnv({ ...dynamo.env, [HOOK_ENV.historyTable]: TABLE, [HOOK_ENV.settings]: JSON.stringify(SETTINGS), POWERTOOLS_LOG_LEVEL: 'SILENT' });
    ({ handler } = await import('../../lambda/handlers/hook'));
    await append('tenants', 'PASS', 'tenants fine', 0.5);
    await append('cost', 'PASS', 'cost fine', 3);
  });
  afterEach(() => settings());
  afterAll(async () => {
    restore?.();
    await new Promise<void>((r) => payloadServer.close(() => r()));
    await dynamo?.stop();
  });

  it('answers a documented stack request (UPDATE_PRE_PROVISION) with exactly hookStatus, message and clientRequestToken', async () => {
    const res = await handler(stackRequest({}, { payload: payloadUrl }), context);
    expect(Object.keys(res).sort()).toEqual(['clientRequestToken', 'hookStatus', 'message']);
    expect(res.hookStatus).toBe('SUCCESS');
    expect(res.clientRequestToken).toBe('3f1b0c52-6a0e-4f0a-9d43-0c7d2b1e9a11');
    expect(res.message).toMatch(/^saas-readiness: suite acme-rag is READY for stack acme-rag-billing: tenants, cost passing/);
  });

  it('requestData.payload: never fetched (the decision does not depend on the template)', async () => {
    payloadRequests = 0;
    await handler(stackRequest({}, { payload: payloadUrl }), context);
    await handler(
      changeSetRequest({ requestData: { targetName: 'CHANGE_SET', targetType: 'CHANGE_SET', targetLogicalId: 'x', payload: payloadUrl } }),
      context,
    );
    expect(payloadRequests).toBe(0);
  });

  it('clientRequestToken: echoed; the syntax block spelling clientRequesttoken is read too', async () => {
    const { clientRequestToken: _t, ...rest } = stackRequest();
    expect((await handler({ ...rest, clientRequesttoken: 'tok-lowercase-t' }, context)).clientRequestToken).toBe('tok-lowercase-t');
  });

  it('clientRequestToken missing: FAILED InternalFailure, saying so', async () => {
    const { clientRequestToken: _t, ...rest } = stackRequest();
    expect(await handler(rest, context)).toEqual({
      hookStatus: 'FAILED',
      errorCode: 'InternalFailure',
      message: 'saas-readiness: cannot evaluate this hook request: the request carries no clientRequestToken.',
      clientRequestToken: '',
    });
  });

  it('requestData.targetLogicalId of a STACK target is the stack name the message names', async () => {
    const res = await handler(stackRequest({}, { targetLogicalId: 'acme-rag-metering-eu' }), context);
    expect(res.message).toContain('for stack acme-rag-metering-eu');
  });

  it('a CHANGE_SET target: targetLogicalId is the change set ARN, the stack name comes from stackId (stackID spelling too)', async () => {
    const { stackId, ...rest } = changeSetRequest();
    const res = await handler({ ...rest, stackID: stackId }, context);
    expect(res.hookStatus).toBe('SUCCESS');
    expect(res.message).toContain(
      'for change set arn:aws:cloudformation:us-east-1:123456789012:changeSet/cdk-deploy-change-set/9d8e7f60-ad5e-11ef-9a1c-0a1b2c3d4e5f of stack acme-rag-billing',
    );
  });

  it('a CHANGE_SET request without actionInvocationPoint (as its syntax block shows) is evaluated as CREATE', async () => {
    const { actionInvocationPoint: _p, ...rest } = changeSetRequest();
    await append('cost', 'FAIL', 'AWS bill differs from the ledger by 8.0% (> 5%)');
    try {
      expect(await handler(rest, context)).toMatchObject({ hookStatus: 'FAILED', errorCode: 'NonCompliant' });
    } finally {
      await append('cost', 'PASS');
    }
  });

  it.each(['CREATE_PRE_PROVISION', 'UPDATE_PRE_PROVISION'])('actionInvocationPoint %s reads the history and holds a NOT READY suite', async (point) => {
    await append('tenants', 'FAIL', 'only 7 active tenants, need ≥ 10 (short by 3)');
    try {
      const res = await handler(stackRequest({ actionInvocationPoint: point }), context);
      expect(res).toMatchObject({ hookStatus: 'FAILED', errorCode: 'NonCompliant', clientRequestToken: '3f1b0c52-6a0e-4f0a-9d43-0c7d2b1e9a11' });
      expect(res.message).toContain('✗ tenants: FAIL at');
      expect(res.message).toContain('only 7 active tenants, need ≥ 10 (short by 3)');
      expect(res.message).toContain(`Dashboard: ${SETTINGS.dashboardUrl}`);
    } finally {
      await append('tenants', 'PASS');
    }
  });

  it('actionInvocationPoint DELETE_PRE_PROVISION: SUCCESS without reading the history (even when it is gone)', async () => {
    process.env[HOOK_ENV.historyTable] = 'no-such-history-table';
    try {
      expect(await handler(stackRequest({ actionInvocationPoint: 'DELETE_PRE_PROVISION' }), context)).toEqual({
        hookStatus: 'SUCCESS',
        message: 'saas-readiness: stack acme-rag-billing is being deleted; deletes are never held.',
        clientRequestToken: '3f1b0c52-6a0e-4f0a-9d43-0c7d2b1e9a11',
      });
    } finally {
      process.env[HOOK_ENV.historyTable] = TABLE;
    }
  });

  it('an undocumented actionInvocationPoint is FAILED InternalFailure, never SUCCESS', async () => {
    const res = await handler(stackRequest({ actionInvocationPoint: 'IMPORT_PRE_PROVISION' }), context);
    expect(res).toMatchObject({ hookStatus: 'FAILED', errorCode: 'InternalFailure' });
    expect(res.message).toContain("unknown actionInvocationPoint 'IMPORT_PRE_PROVISION'");
  });

  it('requestData.targetType missing: FAILED InternalFailure', async () => {
    expect(await handler(stackRequest({ requestData: {} }), context)).toMatchObject({
      hookStatus: 'FAILED',
      errorCode: 'InternalFailure',
      message: expect.stringContaining('no requestData.targetType'),
    });
  });

  it('requestContext.invocation and callbackContext: decided in one invocation, never IN_PROGRESS, no callback fields', async () => {
    const res = await handler(stackRequest({ requestContext: { invocation: 2, callbackContext: { from: 'earlier' } } }), context);
    expect(res.hookStatus).toBe('SUCCESS');
    expect(res).not.toHaveProperty('callbackContext');
    expect(res).not.toHaveProperty('callbackDelaySeconds');
  });

  it('awsAccountId, hookTypeName, hookTypeVersion, hookModel.LambdaFunction and changeSetId: accepted, the decision does not depend on them', async () => {
    const plain = await handler(stackRequest(), context);
    const other = await handler(
      stackRequest({
        awsAccountId: '210987654321',
        hookTypeName: 'Private::Other::Hook',
        hookTypeVersion: '00000009',
        hookModel: { LambdaFunction: 'arn:aws:lambda:us-east-1:210987654321:function:x' },
        changeSetId: 'arn:aws:cloudformation:us-east-1:123456789012:changeSet/a/b',
      }),
      context,
    );
    expect(other.hookStatus).toBe(plain.hookStatus);
  });

  it('an active acknowledgement written by saas-readiness ack lets a NOT READY suite through, and the answer shows it', async () => {
    const now = new Date();
    await new DynamoDbHistoryStore(dynamo.client, TABLE).append(
      acknowledgementRecord('acme-rag', {
        gate: 'cost',
        owner: 'jane@acme.example',
        reason: 'AWS bill export late; OPS-42',
        createdAt: now.toISOString(),
        validUntil: new Date(now.getTime() + 3_600_000).toISOString(),
      }),
    );
    await append('cost', 'FAIL', 'AWS bill differs from the ledger by 8.0% (> 5%)');
    const res = await handler(stackRequest(), context);
    expect(res.hookStatus).toBe('SUCCESS');
    expect(res.message).toContain('proceeds under break-glass');
    expect(res.message).toMatch(/⚠ cost: FAIL at .*: AWS bill differs from the ledger by 8.0% \(> 5%\) — acknowledged by jane@acme.example until /);
    await append('cost', 'PASS');
  });

  it('a history table that cannot be read: FAILED InternalFailure naming the table and the cause, under FAIL and under WARN', async () => {
    process.env[HOOK_ENV.historyTable] = 'no-such-history-table';
    try {
      for (const failureMode of ['FAIL', 'WARN'] as const) {
        settings({ failureMode });
        const res = await handler(stackRequest(), context);
        expect(res).toMatchObject({ hookStatus: 'FAILED', errorCode: 'InternalFailure' });
        expect(res.message).toContain('the history could not be read (DynamoDB table no-such-history-table: ResourceNotFoundException');
        expect(res.message).toContain(`FailureMode ${failureMode}:`);
      }
    } finally {
      process.env[HOOK_ENV.historyTable] = TABLE;
    }
  });

  it('a misconfigured deployment (no settings) is FAILED InternalFailure naming the variable', async () => {
    delete process.env[HOOK_ENV.settings];
    const res = await handler(stackRequest(), context);
    expect(res).toMatchObject({
      hookStatus: 'FAILED',
      errorCode: 'InternalFailure',
      message: 'saas-readiness: the hook is misconfigured: environment variable SAAS_READINESS_HOOK is not set (the ReadinessHook construct sets it).',
    });
  });

  it('keeps message within the documented 4096 characters', async () => {
    await append('tenants', 'FAIL', 'y'.repeat(20_000));
    const res = await handler(stackRequest(), context);
    expect(res.message.length).toBeLessThanOrEqual(HOOK_MESSAGE_LIMIT);
    await append('tenants', 'PASS');
  });

  it('a table deleted under a warm function is FAILED, not SUCCESS', async () => {
    await dynamo.client.send(new DeleteTableCommand({ TableName: TABLE }));
    expect(await handler(stackRequest(), context)).toMatchObject({ hookStatus: 'FAILED', errorCode: 'InternalFailure' });
  });
});
