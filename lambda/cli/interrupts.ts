import { constants } from 'node:os';
import { InterruptedError } from '../core/errors';

const SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM'];

export interface InterruptWatch {
  /** Aborted with an {@link InterruptedError} on the first SIGINT/SIGTERM. */
  signal: AbortSignal;
  /** The first signal received, if any. */
  received(): NodeJS.Signals | undefined;
  stop(): void;
}

/**
 * Watches SIGINT/SIGTERM for the length of a run. The first one aborts the run (gates stop, probes
 * restore); the CLI then prints one line instead of the report and exits 128 + the signal number.
 * While watched, a signal never ends the process by itself: a probe's own re-raised signal, or a
 * second Ctrl-C (a terminal signals the whole process group, and a runner like tsx or npm relays
 * it again), lands here instead of cutting a restore short.
 */
export function watchInterrupts(): InterruptWatch {
  const controller = new AbortController();
  let first: NodeJS.Signals | undefined;
  const handler = (signal: NodeJS.Signals) => {
    if (first) return;
    first = signal;
    controller.abort(new InterruptedError(signal));
  };
  for (const s of SIGNALS) process.on(s, handler);
  return {
    signal: controller.signal,
    received: () => first,
    stop: () => {
      for (const s of SIGNALS) process.off(s, handler);
    },
  };
}

/** The conventional exit code of a process ended by `signal`: 130 for SIGINT, 143 for SIGTERM. */
export function signalExitCode(signal: NodeJS.Signals): number {
  return 128 + constants.signals[signal];
}
