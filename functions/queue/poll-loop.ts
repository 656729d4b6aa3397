import type { Logger } from "../../core/log/logger.ts";

/** A background loop: `stop()` ends it after the current pass, `wake()` starts the next pass now. */
export interface PollLoop {
  readonly name: string;
  stop(): Promise<void>;
  wake(): void;
}

/**
 * Runs `pass` repeatedly: again at once while it reports more work, otherwise after `intervalMs` or on
 * `wake()`. A failing pass is logged and retried at the next interval; it never ends the loop.
 */
export function startPollLoop(opts: {
  name: string;
  intervalMs: number;
  logger: Logger;
  pass: () => Promise<boolean>;
}): PollLoop {
  let stopped = false;
  let wakeUp: (() => void) | undefined;
  let woken = false;
  const sleep = () =>
    new Promise<void>((resolve) => {
      if (woken || stopped) return resolve();
      const timer = setTimeout(resolve, opts.intervalMs);
      wakeUp = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  const run = async () => {
    while (!stopped) {
      woken = false;
      let more = false;
      try {
        more = await opts.pass();
      } catch (err) {
        opts.logger.error({ err, service: opts.name }, "background pass failed");
      }
      if (!more) await sleep();
      wakeUp = undefined;
    }
  };
  const done = run();
  return {
    name: opts.name,
    wake: () => {
      woken = true;
      wakeUp?.();
    },
    stop: async () => {
      stopped = true;
      wakeUp?.();
      await done;
    },
  };
}
