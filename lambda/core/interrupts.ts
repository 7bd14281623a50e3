/** Process interrupts (SIGINT/SIGTERM): watched only while a probe holds something it must put back. */
export interface Interrupts {
  /** Starts watching; returns the function that stops watching. */
  watch(onInterrupt: (signal: NodeJS.Signals) => void): () => void;
  /** Delivers the interrupt again once the probe has restored (the process then ends as it would have). */
  reraise(signal: NodeJS.Signals): void;
}

const SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM'];

/**
 * SIGINT/SIGTERM of this process. While watched, an interrupt aborts the probe instead of ending
 * the process; once the canary is restored the handlers are removed and the signal is sent again,
 * so the process ends exactly as it would have (exit by that signal, or the app's own handler).
 */
export const processInterrupts: Interrupts = {
  watch(onInterrupt) {
    const handler = (signal: NodeJS.Signals) => onInterrupt(signal);
    for (const s of SIGNALS) process.on(s, handler);
    return () => {
      for (const s of SIGNALS) process.off(s, handler);
    };
  },
  reraise(signal) {
    process.kill(process.pid, signal);
  },
};
