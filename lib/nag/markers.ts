import { Tags } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/** Tag key that marks a resource as the tenant registry (value `true`). */
export const TENANT_REGISTRY_TAG = 'saas-readiness:tenant-registry';
/** Tag key that marks a resource as a tenant config store (value `true`). */
export const CONFIG_STORE_TAG = 'saas-readiness:config-store';

/** Default cost-allocation tag key; gate 2 attributes costs by it. */
export const DEFAULT_COST_TAG_KEY = 'tenant_id';
/** Default value of the cost-allocation tag on pooled (shared) resources. */
export const DEFAULT_SHARED_TAG_VALUE = 'shared';

/**
 * Marks every taggable resource under `scope` (typically one DynamoDB table or RDS
 * cluster) as the tenant registry, so gate 1's durability rule applies to it.
 * The mark is a tag, so it also shows on the deployed resource.
 */
export function markTenantRegistry(scope: IConstruct): void {
  Tags.of(scope).add(TENANT_REGISTRY_TAG, 'true');
}

/** Marks every taggable resource under `scope` as a tenant config store (gate 3 audit trail). */
export function markConfigStore(scope: IConstruct): void {
  Tags.of(scope).add(CONFIG_STORE_TAG, 'true');
}

/**
 * Tags every taggable resource under `scope` as pooled: the cost-allocation key with the
 * shared value, which gate 2 reconciles as its own line. A `Tags.of(siloed).add(key, tenantId)`
 * applied deeper in the tree (on a tenant's own resources) still wins.
 */
export function markPooled(scope: IConstruct, options: { readonly key?: string; readonly sharedValue?: string } = {}): void {
  Tags.of(scope).add(options.key ?? DEFAULT_COST_TAG_KEY, options.sharedValue ?? DEFAULT_SHARED_TAG_VALUE);
}
