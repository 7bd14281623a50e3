/**
 * The grammar of the references a config may hold in place of a value: `${env:…}` (resolved when
 * the config is loaded, CLI only) and the run-time ones, `${secret:…}` and `${ssm:…}`, read where
 * the value is used. Kept apart from the resolvers so that loading a config needs no AWS SDK.
 */

/** `${secret:ARN}` or `${secret:ARN#jsonKey}`: a Secrets Manager value read at run time. */
export const SECRET_REF = /^\$\{secret:([^}#]+)(?:#([^}]+))?\}$/;
/**
 * `${ssm:/name}`, `${ssm:/name:version-or-label}` or `${ssm:arn:…:parameter/name}`: a Parameter
 * Store value read at run time (SecureString decrypted). Names as GetParameter accepts them.
 */
export const SSM_PARAMETER =
  /^(arn:aws[a-z-]*:ssm:[a-z0-9-]+:\d{12}:parameter\/[A-Za-z0-9_./-]{1,2011}|\/?[A-Za-z0-9_.-][A-Za-z0-9_./-]{0,2047})(?::[A-Za-z0-9_.-]{1,100})?$/;
export const SSM_REF = /^\$\{ssm:([^}]+)\}$/;
/** Every run-time reference inside a string, whole or embedded (`https://…?key=${ssm:/k}`). */
export const RUNTIME_REF = /\$\{(?:secret|ssm):[^}]+\}/g;

/** True when a value is, or contains, a Secrets Manager or Parameter Store reference. */
export function isSecretRef(value: string): boolean {
  return new RegExp(RUNTIME_REF.source).test(value);
}
