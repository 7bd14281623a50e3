/**
 * The AWS SDK warns on every run under Node < 22 that its future releases will need a newer Node
 * (a `NodeVersionSupportWarning`). It says nothing about this run, and a CLI's stderr is read by
 * people and CI logs, so the CLI drops that one warning, also with --quiet. Every other warning
 * passes through unchanged.
 */
const SDK_NODE_VERSION_WARNING = 'NodeVersionSupportWarning';

function isSdkNodeVersionWarning(warning: unknown, rest: unknown[]): boolean {
  const text = warning instanceof Error ? `${warning.name}: ${warning.message}` : String(warning);
  const type = typeof rest[0] === 'string' ? rest[0] : (rest[0] as { type?: string } | undefined)?.type;
  return type === SDK_NODE_VERSION_WARNING || text.startsWith(SDK_NODE_VERSION_WARNING) || text.includes(`: ${SDK_NODE_VERSION_WARNING}:`);
}

/** Filters the SDK's Node version warning out of `proc.emitWarning`; returns a function that undoes it. */
export function suppressSdkNodeVersionWarning(proc: Pick<NodeJS.Process, 'emitWarning'> = process): () => void {
  const original = proc.emitWarning;
  const filtered = function (this: unknown, warning: string | Error, ...rest: unknown[]) {
    if (isSdkNodeVersionWarning(warning, rest)) return;
    // biome-ignore lint/suspicious/noExplicitAny: forwards emitWarning's overloaded arguments unchanged
    return (original as any).call(proc, warning, ...rest);
  } as NodeJS.Process['emitWarning'];
  proc.emitWarning = filtered;
  return () => {
    if (proc.emitWarning === filtered) proc.emitWarning = original;
  };
}
