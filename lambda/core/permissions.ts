/**
 * The AWS access a deployed gate needs, declared by the sources it opens (as Cloud Custodian's
 * resources and filters declare their `permissions`): plain data, turned into IAM statements by
 * the stack. Nothing here knows CDK.
 */

/** An ARN the stack completes: its partition always, its region and account where these are left out. */
export interface ArnParts {
  readonly service: string;
  /** e.g. `table`, `parameter`, or an S3 bucket. */
  readonly resource: string;
  readonly resourceName?: string;
  /** `''` for a service without regions in its ARNs (S3); the stack's own region when left out. */
  readonly region?: string;
  /** `''` for a service without accounts in its ARNs (S3); the stack's own account when left out. */
  readonly account?: string;
}

export type ResourceRef = string | ArnParts;

export interface Permission {
  /** Names the statement in the function's policy, e.g. `ReadTable`; a second statement with the same sid is numbered. */
  readonly sid: string;
  readonly actions: readonly string[];
  /** ARNs, or `*` where the API has no resource-level permissions (then `wildcardReason` says so). */
  readonly resources: readonly ResourceRef[];
  readonly conditions?: Readonly<Record<string, Readonly<Record<string, readonly string[]>>>>;
  /** Why a wildcard resource (`*`, or an S3 prefix ending in `*`): acknowledged with this reason in cdk-nag. */
  readonly wildcardReason?: string;
}

/**
 * Merges permissions that grant the same actions under the same sid and conditions (their
 * resources are joined, duplicates dropped), keeping the order in which they were first seen.
 */
export function mergePermissions(permissions: readonly Permission[]): Permission[] {
  const merged = new Map<string, Permission>();
  for (const p of permissions) {
    const key = JSON.stringify([p.sid, [...p.actions].sort(), p.conditions ?? null]);
    const seen = merged.get(key);
    const resources = [...(seen?.resources ?? []), ...p.resources];
    const unique = [...new Map(resources.map((r) => [JSON.stringify(r), r])).values()];
    merged.set(key, { ...(seen ?? p), resources: unique });
  }
  return [...merged.values()];
}

/** secretsmanager:GetSecretValue on one secret; a partial ARN (no random suffix) matches only with the documented `-??????`. */
export function readSecretPermission(arn: string): Permission {
  return { sid: 'ReadSecrets', actions: ['secretsmanager:GetSecretValue'], resources: [/-[A-Za-z0-9]{6}$/.test(arn) ? arn : `${arn}-??????`] };
}

/** ssm:GetParameter on exactly one parameter, by ARN or by name (a grant on a path would open every level below it). */
export function readParameterPermission(nameOrArn: string): Permission {
  return {
    sid: 'ReadParameters',
    actions: ['ssm:GetParameter'],
    resources: [nameOrArn.startsWith('arn:') ? nameOrArn : { service: 'ssm', resource: 'parameter', resourceName: nameOrArn.replace(/^\//, '') }],
  };
}

/** s3:GetObject on one object, for an `s3://bucket/key` location (none for a local path). */
export function readObjectPermissions(location: string): Permission[] {
  const m = /^s3:\/\/([^/]+)\/(.+)$/.exec(location);
  return m
    ? [{ sid: 'ReadObject', actions: ['s3:GetObject'], resources: [{ service: 's3', resource: m[1], resourceName: m[2], region: '', account: '' }] }]
    : [];
}

/** A DynamoDB table of this account, in the source's region or the stack's. */
export function tableArn(table: string, region?: string): ArnParts {
  return { service: 'dynamodb', resource: 'table', resourceName: table, ...(region ? { region } : {}) };
}

/** An S3 bucket itself (for s3:ListBucket), in any region and account. */
export function bucketArn(bucket: string): ArnParts {
  return { service: 's3', resource: bucket, region: '', account: '' };
}

/**
 * `actions` on every object under `s3://bucket/prefix`, and s3:ListBucket limited to that prefix
 * (it tells a missing object from a denied one, and finds objects AWS names at run time).
 */
export function prefixPermissions(sid: string, bucket: string, prefix: string, actions: readonly string[], why: string): Permission[] {
  return [
    { sid, actions, resources: [{ service: 's3', resource: bucket, resourceName: `${prefix}*`, region: '', account: '' }], wildcardReason: why },
    { sid: `${sid}List`, actions: ['s3:ListBucket'], resources: [bucketArn(bucket)], conditions: { StringLike: { 's3:prefix': [`${prefix}*`] } } },
  ];
}
