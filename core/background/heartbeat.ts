/** A periodic beat that never overlaps itself: `stop()` waits for a beat in flight. */
export interface Heartbeat {
  stop(): Promise<void>;
}

/**
 * Runs `beat` every `intervalMs` until stopped. A slow beat delays the next one instead of racing it; a
 * failing beat goes to `onError` and the next beat runs as usual. The timer does not keep the process alive.
 * This is the one timer that extends leases and message visibility (runner jobs, upload notifications).
 */
export function startHeartbeat(opts: {
  intervalMs: number;
  beat: () => Promise<void>;
  onError: (err: unknown) => void;
}): Heartbeat {
  let stopped = false;
  let inFlight: Promise<void> = Promise.resolve();
  const timer = setInterval(() => {
    inFlight = inFlight.then(async () => {
      if (stopped) return;
      try {
        await opts.beat();
      } catch (err) {
        opts.onError(err);
      }
    });
  }, opts.intervalMs);
  timer.unref();
  return {
    async stop() {
      stopped = true;
      clearInterval(timer);
      await inFlight;
    },
  };
}
