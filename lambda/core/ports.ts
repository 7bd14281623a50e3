/**
 * A port: one small interface a gate measures through (a tenant store, a cost ledger, a bill…),
 * named so that a source can declare that it opens it and a gate can ask for it by source name.
 * The port is defined next to the interface it stands for, in the gate's `ports.ts`.
 */
export interface Port<T, O = undefined> {
  /** e.g. `tenantStore`. */
  readonly id: string;
  /** For messages, e.g. "tenant store". */
  readonly title: string;
  /** Carries the interface and option types for the compiler; never set. */
  readonly types?: { readonly value: T; readonly options: O };
}

export function definePort<T, O = undefined>(id: string, title: string): Port<T, O> {
  return { id, title };
}
