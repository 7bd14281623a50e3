/**
 * The Lambda entry point of the deploy-time hook (AWS::CloudFormation::LambdaHook). It reads the
 * request, the newest verdict of each required gate and the acknowledgements, and answers with
 * the pure decision of lambda/hook/decision.ts. It never throws and never answers SUCCESS when it
 * could not decide: every failure is a FAILED answer naming the cause, and the hook's FailureMode
 * decides what CloudFormation does with it.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { Logger } from '@aws-lambda-powertools/logger';
import type { Context } from 'aws-lambda';
import { describeError } from '../core/errors';
import { hookResponse, parseHookRequest, type HookResponse } from '../hook/contract';
import { decide, type HookDecision } from '../hook/decision';
import { readReadinessHistory, type ReadinessHistory } from '../hook/history';
import { hookSettingsFrom } from '../hook/settings';
import { DynamoDbHistoryReader } from '../sources/dynamodb/history-reader';

/** Logged once per invocation at INFO: the answer and the state of each gate. */
export const HOOK_LOG_MESSAGE = 'readiness hook decision';
/** Time kept back from the function's remaining time to answer after a read is abandoned. */
const ANSWER_RESERVE_MS = 2_000;
/** Reads give up after this long at most; Hooks waits 30 s for the function. */
const READ_BUDGET_MS = 15_000;

const logger = new Logger({ serviceName: 'saas-readiness' });
// The client lives across invocations of a warm function; the SDK's standard retry strategy applies.
let dynamodb: DynamoDBClient | undefined;

export async function handler(event: unknown, context: Context): Promise<HookResponse> {
  const request = parseHookRequest(event);
  if (!request.ok) return answer(request.token, internalFailure(`saas-readiness: cannot evaluate this hook request: ${request.problem}.`), {});
  const { token, target } = request;
  let settings;
  try {
    settings = hookSettingsFrom(process.env);
  } catch (err) {
    return answer(token, internalFailure(`saas-readiness: the hook is misconfigured: ${describeError(err)}.`), { target: target.description });
  }
  const now = new Date();
  let history: ReadinessHistory | { error: string } | undefined;
  if (target.operation !== 'DELETE') {
    const reader = new DynamoDbHistoryReader((dynamodb ??= new DynamoDBClient({})), settings.table);
    const budget = Math.max(1_000, Math.min(READ_BUDGET_MS, context.getRemainingTimeInMillis() - ANSWER_RESERVE_MS));
    try {
      history = await readReadinessHistory(
        reader,
        settings.suite,
        settings.gates.map((g) => g.id),
        now,
        AbortSignal.timeout(budget),
      );
    } catch (err) {
      history = { error: `${reader.describe()}: ${describeError(err)}` };
    }
  }
  const decision = decide({
    operation: target.operation,
    target: target.description,
    suite: settings.suite,
    gates: settings.gates,
    history,
    failureMode: settings.failureMode,
    dashboardUrl: settings.dashboardUrl,
    now,
  });
  return answer(token, decision, {
    target: target.description,
    operation: target.operation,
    failureMode: settings.failureMode,
    gates: decision.findings.map((f) => ({ gate: f.gate, state: f.state, acknowledged: Boolean(f.acknowledgedBy) })),
    acknowledgements: decision.acknowledgements.map((a) => ({ gate: a.gate, owner: a.owner, state: a.state, validUntil: a.validUntil })),
  });
}

function internalFailure(message: string): Pick<HookDecision, 'hookStatus' | 'errorCode' | 'message'> {
  return { hookStatus: 'FAILED', errorCode: 'InternalFailure', message };
}

function answer(token: string, decision: Pick<HookDecision, 'hookStatus' | 'errorCode' | 'message'>, fields: Record<string, unknown>): HookResponse {
  const response = hookResponse(token, decision);
  logger.info(HOOK_LOG_MESSAGE, { hookStatus: response.hookStatus, errorCode: response.errorCode, message: response.message, ...fields });
  return response;
}
