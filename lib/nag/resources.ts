import { CfnDeletionPolicy, type CfnResource, Stack, TagManager, Token } from 'aws-cdk-lib';
import { CfnGlobalTable } from 'aws-cdk-lib/aws-dynamodb';
import { CONFIG_STORE_TAG, TENANT_REGISTRY_TAG } from './markers';
import type { ReadinessSettings } from './settings';

/** Small, pure readers over L1 resources shared by the rules. */

/** The value with tokens resolved; plain primitives are returned as they are (resolving costs). */
// biome-ignore lint/suspicious/noExplicitAny: CloudFormation property values are untyped once tokens are resolved
export function resolved(node: CfnResource, value: unknown): any {
  if (value === undefined || value === null) return value;
  if (typeof value !== 'object' && !Token.isUnresolved(value)) return value;
  return Stack.of(node).resolve(value);
}

export function logicalIdOf(node: CfnResource): string {
  return Stack.of(node).resolve(node.logicalId);
}

/** Logical id that a resolved `{ Ref }` or `{ Fn::GetAtt }` points at; undefined for anything else. */
export function referencedLogicalId(value: unknown): string | undefined {
  if (value === null || typeof value !== 'object') return undefined;
  const ref = (value as Record<string, unknown>).Ref;
  if (typeof ref === 'string') return ref;
  const getAtt = (value as Record<string, unknown>)['Fn::GetAtt'];
  if (Array.isArray(getAtt) && typeof getAtt[0] === 'string') return getAtt[0];
  return undefined;
}

/**
 * What a resolved value denotes, as a comparable key: `ref:<logicalId>` for a reference to a
 * resource in the same template, `name:<literal>` for a plain string, undefined otherwise.
 */
export function referenceKey(value: unknown): string | undefined {
  const id = referencedLogicalId(value);
  if (id !== undefined) return `ref:${id}`;
  return typeof value === 'string' ? `name:${value}` : undefined;
}

/** A resolved boolean that is literally `true` (tokens that cannot be resolved do not count). */
export function isTrue(node: CfnResource, value: unknown): boolean {
  return resolved(node, value) === true;
}

export function isRetainedOnDelete(node: CfnResource): boolean {
  const policy = node.cfnOptions.deletionPolicy;
  return policy === CfnDeletionPolicy.RETAIN || policy === CfnDeletionPolicy.RETAIN_EXCEPT_ON_CREATE;
}

/**
 * Tags a resource will be deployed with, including those from `Tags.of()` (they are applied
 * by an aspect during synthesis, so read this after synthesis — as a validation plugin does).
 * For a DynamoDB global table these are the tags every replica carries.
 * Undefined when the resource cannot carry tags.
 */
export function tagsOf(node: CfnResource): Record<string, unknown> | undefined {
  if (node instanceof CfnGlobalTable) return commonReplicaTags(node);
  return TagManager.of(node)?.tagValues();
}

function commonReplicaTags(table: CfnGlobalTable): Record<string, unknown> {
  const replicas: unknown[] = resolved(table, table.replicas) ?? [];
  const perReplica = replicas.map((replica) => tagListToRecord((replica as { tags?: unknown })?.tags));
  if (perReplica.length === 0) return {};
  const [first, ...rest] = perReplica;
  return Object.fromEntries(Object.entries(first).filter(([key]) => rest.every((tags) => key in tags)));
}

function tagListToRecord(tags: unknown): Record<string, unknown> {
  if (!Array.isArray(tags)) return {};
  const record: Record<string, unknown> = {};
  for (const tag of tags) {
    const key = tag?.key ?? tag?.Key;
    if (typeof key === 'string') record[key] = tag?.value ?? tag?.Value;
  }
  return record;
}

export type ResourceRole = 'tenant-registry' | 'config-store';

/** Whether the resource was marked (by tag) or configured (by construct path) to play `role`. */
export function hasRole(node: CfnResource, role: ResourceRole, settings: ReadinessSettings): boolean {
  const [tagKey, paths] = role === 'tenant-registry' ? [TENANT_REGISTRY_TAG, settings.tenantRegistryPaths] : [CONFIG_STORE_TAG, settings.configStorePaths];
  if (tagsOf(node)?.[tagKey] === 'true') return true;
  const path = node.node.path;
  return paths.some((p) => path === p || path.startsWith(`${p}/`));
}
