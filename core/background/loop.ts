import type { Logger } from "../log/logger.ts";
import { Backoff, LOOP_ERROR_BACKOFF, type BackoffPolicy } from "./backoff.ts";

/**
 * A background loop (the shape of pg-boss and BullMQ workers): `fetch` finds the next piece of work,
 * `handle` does it, and the loop fetches again at once; when `fetch` finds nothing it waits `idleMs` (cut
 * short by `wake()`). A failing fetch or handle is logged and retried after a backoff; it never ends the loop.
 */
export interface Loop {
  readonly name: string;
  /** Aborted when the loop closes: long polls and other waits passed it end at once. */
  readonly signal: AbortSignal;
  /** Runs the next fetch now instead of at the end of the idle wait. */
  wake(): void;
  /** Stops fetching, aborts `signal`, and resolves once the work in hand is handled. Idempotent. */
  close(): Promise<void>;
}

export interface LoopOptions<T> {
  name: string;
  logger: Logger;
  /** The next piece of work, or null when there is none. Should give up when `signal` aborts. */
  fetch: (signal: AbortSignal) => Promise<T | null | undefined>;
  /** Does the work `fetch` returned. Defaults to nothing (for loops whose fetch is the whole pass). */
  handle?: (work: T, signal: AbortSignal) => Promise<void>;
  /** Wait after a fetch that found nothing; 0 for fetches that wait themselves (SQS long polls). */
  idleMs: number;
  /** Wait after a failure; 250 ms doubling to 10 s by default, reset by the next success. */
  errorBackoff?: BackoffPolicy;
}

/** Starts a loop; it runs until `close()`. */
export function startLoop<T>(opts: LoopOptions<T>): Loop {
  const abort = new AbortController();
  const backoff = new Backoff(opts.errorBackoff ?? LOOP_ERROR_BACKOFF);
  let woken = false;
  let cutWait: (() => void) | undefined;

  const wait = (ms: number, wakeable: boolean) =>
    new Promise<void>((resolve) => {
      if (abort.signal.aborted || (wakeable && woken) || ms <= 0) return resolve();
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        abort.signal.removeEventListener("abort", done);
        cutWait = undefined;
        resolve();
      }
      abort.signal.addEventListener("abort", done, { once: true });
      if (wakeable) cutWait = done;
    });

  const run = async () => {
    while (!abort.signal.aborted) {
      woken = false;
      try {
        const work = await opts.fetch(abort.signal);
        if (work === null || work === undefined) {
          backoff.reset();
          await wait(opts.idleMs, true);
          continue;
        }
        await opts.handle?.(work, abort.signal);
        backoff.reset();
      } catch (err) {
        // A fetch aborted by close() is the normal way out, not a failure.
        if (abort.signal.aborted) break;
        opts.logger.error({ err, service: opts.name }, "background work failed; retrying");
        await wait(backoff.next(), false);
      }
    }
  };
  const running = run();
  let closing: Promise<void> | undefined;

  return {
    name: opts.name,
    signal: abort.signal,
    wake() {
      woken = true;
      cutWait?.();
    },
    close() {
      closing ??= (async () => {
        abort.abort();
        await running;
      })();
      return closing;
    },
  };
}

/**
 * One fetch and, when it found work, one handle, outside any loop: what a scheduled function or a test runs.
 * Resolves whether there was work; failures propagate.
 */
export async function runOnce<T>(opts: LoopOptions<T>, signal = new AbortController().signal): Promise<boolean> {
  const work = await opts.fetch(signal);
  if (work === null || work === undefined) return false;
  await opts.handle?.(work, signal);
  return true;
}

/**
 * A loop over a pass that does its own fetching and handling (a database sweep, an outbox relay): the pass
 * resolves true when it stopped with more work waiting, and runs again at once; otherwise after `intervalMs`.
 */
export function startPassLoop(opts: {
  name: string;
  logger: Logger;
  intervalMs: number;
  pass: (signal: AbortSignal) => Promise<boolean>;
}): Loop {
  return startLoop({
    name: opts.name,
    logger: opts.logger,
    idleMs: opts.intervalMs,
    fetch: async (signal) => ((await opts.pass(signal)) ? true : null),
  });
}
