import type { GateDefinition } from '../../lambda/core/gate';

/** A gate for runner tests: only an id and a run; everything else it declares is inert. */
export function fakeGate(id: string, run: GateDefinition['run'], skip = ''): GateDefinition {
  return {
    id,
    title: id,
    module: __filename,
    configSchema: {},
    criteria: [],
    keyMeasurement: { measurement: 'value', metric: 'Value', unit: 'Count', label: 'value' },
    deployment: { scheduleHours: 1, why: 'test' },
    fromEnvironment: () => ({ skip }),
    uses: () => [],
    run,
  };
}
