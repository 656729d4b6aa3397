import type { LeaseState } from "../../core/jobs/claim-job.ts";

/** What a lease renewer extends: the Postgres lease (the truth) and the SQS message's invisibility. */
export interface LeaseRenewalTarget {
  /** Extends the database lease; null when this runner no longer owns the job. */
  renewLease(): Promise<LeaseState | null>;
  /** Keeps the message hidden for `seconds` more (SQS `ChangeMessageVisibility`). */
  extendMessage(seconds: number): Promise<void>;
  /**
   * SQS hides a message for at most 12 h after its first receipt. Before that cap the message is deleted and
   * the database lease alone holds the job; if this runner dies later, the lease sweeper sends a new message
   * once the lease has expired.
   */
  retireMessage(): Promise<void>;
}

export interface LeaseRenewerOptions {
  intervalMs: number;
  /** Invisibility granted per renewal; longer than the database lease so the lease expires first. */
  visibilitySeconds: number;
  /** When SQS first delivered the message, and how long after that it may stay invisible in total. */
  firstReceivedAt: number;
  maxVisibilityMs: number;
  now?: () => number;
}

/**
 * Renews a job's lease and message on a timer. A failed renewal is final: `lostReason` is set and the
 * training loop stops at its next step boundary, because another runner may already own the job.
 */
export class LeaseRenewer {
  #timer: NodeJS.Timeout | undefined;
  #tick: Promise<void> = Promise.resolve();
  #retired = false;
  #stopped = false;
  lostReason: string | null = null;
  cancelRequested = false;

  constructor(
    private readonly target: LeaseRenewalTarget,
    private readonly opts: LeaseRenewerOptions,
  ) {}

  start(): void {
    this.#timer = setInterval(() => {
      // Ticks never overlap: a slow renewal delays the next one instead of racing it.
      this.#tick = this.#tick.then(() => this.renewNow());
    }, this.opts.intervalMs);
    this.#timer.unref();
  }

  /** Waits for a renewal in flight, then stops; the message and lease are left as they are. */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearInterval(this.#timer);
    await this.#tick;
  }

  /** Whether the message was handed over to the database lease (deleted at the SQS cap). */
  get messageRetired(): boolean {
    return this.#retired;
  }

  async renewNow(): Promise<void> {
    if (this.#stopped || this.lostReason) return;
    try {
      const state = await this.target.renewLease();
      if (!state) {
        this.lostReason = "the job's lease was taken over or the job ended";
        return;
      }
      if (state.cancelRequested) this.cancelRequested = true;
    } catch (err) {
      this.lostReason = `the lease could not be renewed: ${err instanceof Error ? err.message : String(err)}`;
      return;
    }
    if (this.#retired) return;
    const now = (this.opts.now ?? Date.now)();
    const wouldHideUntil = now + this.opts.visibilitySeconds * 1000;
    try {
      if (wouldHideUntil >= this.opts.firstReceivedAt + this.opts.maxVisibilityMs) {
        await this.target.retireMessage();
        this.#retired = true;
      } else {
        await this.target.extendMessage(this.opts.visibilitySeconds);
      }
    } catch (err) {
      this.lostReason = `the message's visibility could not be extended: ${err instanceof Error ? err.message : String(err)}`;
    }
  }
}
