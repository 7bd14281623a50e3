/**
 * The CloudFormation Hooks Lambda request and response, as AWS documents them for stack and
 * change-set targets (docs/contracts/cloudformation-hooks.md lists each rule with its source).
 * Parsing is pure: the request in, what is being deployed out, or why the request cannot be read.
 */
import { HOOK_MESSAGE_LIMIT, type HookDecision, type HookOperation } from './decision';

/** The request fields the hook reads. Everything else AWS sends (hookModel, payload, …) is accepted and left alone. */
export interface HookRequest {
  clientRequestToken?: string;
  /** The spelling in AWS's stack and change-set syntax blocks; its examples and response use `clientRequestToken`. */
  clientRequesttoken?: string;
  awsAccountId?: string;
  stackId?: string;
  /** The spelling in AWS's stack and change-set syntax blocks; its examples use `stackId`. */
  stackID?: string;
  changeSetId?: string | null;
  hookTypeName?: string;
  hookTypeVersion?: string;
  hookModel?: { LambdaFunction?: string };
  actionInvocationPoint?: string;
  requestData?: {
    targetName?: string;
    targetType?: string;
    targetLogicalId?: string;
    /** RESOURCE targets only. */
    targetModel?: unknown;
    /** STACK and CHANGE_SET targets: presigned S3 URL of the template(s). Never fetched: the decision does not depend on the template. */
    payload?: string;
  };
  requestContext?: { invocation?: number; callbackContext?: unknown };
}

export interface HookResponse {
  hookStatus: 'SUCCESS' | 'FAILED';
  errorCode?: 'NonCompliant' | 'InternalFailure';
  message: string;
  clientRequestToken: string;
}

export interface HookTarget {
  operation: HookOperation;
  /** `STACK`, `CHANGE_SET` (the targets this hook is configured for) or a resource type. */
  targetType: string;
  /** The stack's name, where the request says it. */
  stackName?: string;
  /** For the message: `stack acme-rag-billing`, `change set arn:… of stack acme-rag-billing`. */
  description: string;
}

export type ParsedRequest = { ok: true; token: string; target: HookTarget } | { ok: false; token: string; problem: string };

const INVOCATION_POINTS: Record<string, HookOperation> = {
  CREATE_PRE_PROVISION: 'CREATE',
  UPDATE_PRE_PROVISION: 'UPDATE',
  DELETE_PRE_PROVISION: 'DELETE',
};

/** `arn:aws:cloudformation:<region>:<account>:stack/<name>/<id>` → `<name>`. */
export function stackNameOf(stackId: string | undefined): string | undefined {
  return stackId ? /:stack\/([^/]+)\//.exec(stackId)?.[1] : undefined;
}

export function parseHookRequest(event: unknown): ParsedRequest {
  const req = (event && typeof event === 'object' ? event : {}) as HookRequest;
  const token = stringOr(req.clientRequestToken) ?? stringOr(req.clientRequesttoken) ?? '';
  if (!token) return { ok: false, token, problem: 'the request carries no clientRequestToken' };
  const data = req.requestData && typeof req.requestData === 'object' ? req.requestData : undefined;
  const targetType = stringOr(data?.targetType);
  if (!targetType) return { ok: false, token, problem: 'the request carries no requestData.targetType' };
  const stackId = stringOr(req.stackId) ?? stringOr(req.stackID);
  const point = stringOr(req.actionInvocationPoint);
  let operation: HookOperation | undefined = point ? INVOCATION_POINTS[point] : undefined;
  // AWS's change-set syntax block has no actionInvocationPoint, and change sets are only ever CREATE targets.
  if (!point && targetType === 'CHANGE_SET') operation = 'CREATE';
  if (!operation)
    return { ok: false, token, problem: `unknown actionInvocationPoint '${point ?? ''}' (documented: ${Object.keys(INVOCATION_POINTS).join(', ')})` };

  const logicalId = stringOr(data?.targetLogicalId);
  if (targetType === 'STACK') {
    const stackName = logicalId ?? stackNameOf(stackId);
    return { ok: true, token, target: { operation, targetType, stackName, description: `stack ${stackName ?? stackId ?? '(unnamed)'}` } };
  }
  const stackName = stackNameOf(stackId);
  const of = stackName ? ` of stack ${stackName}` : '';
  if (targetType === 'CHANGE_SET') {
    return {
      ok: true,
      token,
      target: { operation, targetType, stackName, description: `change set ${logicalId ?? stringOr(req.changeSetId) ?? '(unnamed)'}${of}` },
    };
  }
  return { ok: true, token, target: { operation, targetType, stackName, description: `${targetType} ${logicalId ?? ''}${of}`.replace(/\s+/g, ' ').trim() } };
}

function stringOr(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

/** The response AWS documents: status, the error code when FAILED, the message within its limit, the token echoed. */
export function hookResponse(token: string, decision: Pick<HookDecision, 'hookStatus' | 'errorCode' | 'message'>): HookResponse {
  const message = decision.message.length > HOOK_MESSAGE_LIMIT ? `${decision.message.slice(0, HOOK_MESSAGE_LIMIT - 1)}…` : decision.message;
  return {
    hookStatus: decision.hookStatus,
    ...(decision.hookStatus === 'FAILED' ? { errorCode: decision.errorCode ?? 'InternalFailure' } : {}),
    message,
    clientRequestToken: token,
  };
}
