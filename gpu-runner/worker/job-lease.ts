import { startHeartbeat, type Heartbeat } from "../../core/background/heartbeat.ts";
import type { LeaseState } from "./claim-job.ts";

/**
 * What a job lease holds on to: the Postgres lease (the truth) and the SQS message's invisibility. The
 * runner builds it from the database and the queue (`worker.ts`); tests may point it at anything.
 */
export interface LeaseTarget {
  /** Extends the database lease; null when this runner no longer owns the job. */
  renewLease(): Promise<LeaseState | null>;
  /** A cheap read of whether the tenant asked to cancel (polled more often than the lease is renewed). */
  cancelRequested?(): Promise<boolean>;
  /** Keeps the message hidden for `seconds` more (SQS `ChangeMessageVisibility`). */
  extendMessage(seconds: number): Promise<void>;
  /** Deletes the message. */
  deleteMessage(): Promise<void>;
  /** Makes the message visible again after `seconds` (0: at once). */
  returnMessage?(seconds: number): Promise<void>;
}

export interface JobLeaseOptions {
  /** How often the lease is renewed (a third of the lease). */
  intervalMs: number;
  /** How often cancellation is checked; 0 leaves it to the renewals. */
  cancelPollMs?: number;
  /** Invisibility granted per renewal; longer than the database lease so the lease expires first. */
  visibilitySeconds: number;
  /** When SQS first delivered the message, and how long after that it may stay invisible in total. */
  firstReceivedAt: number;
  maxVisibilityMs: number;
  now?: () => number;
}

/**
 * The runner's one lease collaborator for a claimed job: renews the lease and the message together on a
 * heartbeat, watches for cancellation, and settles the message at the end. A failed renewal is final:
 * `lostReason` is set and training stops at its next step boundary, because another runner may already own
 * the job. SQS hides a message for at most 12 h after its first receipt; before that cap the message is
 * deleted ("retired") and the database lease alone holds the job. If this runner dies later, the queue
 * sweeper writes a new message once the lease has expired.
 */
export class JobLease {
  #beats: Heartbeat[] = [];
  #retired = false;
  #stopped = false;
  lostReason: string | null = null;
  cancelRequested = false;

  constructor(
    private readonly target: LeaseTarget,
    private readonly opts: JobLeaseOptions,
  ) {}

  start(): void {
    this.#beats.push(
      startHeartbeat({ intervalMs: this.opts.intervalMs, beat: () => this.renewNow(), onError: () => undefined }),
    );
    const check = this.target.cancelRequested?.bind(this.target);
    if (check && this.opts.cancelPollMs) {
      this.#beats.push(
        startHeartbeat({
          intervalMs: this.opts.cancelPollMs,
          beat: async () => {
            if (await check()) this.cancelRequested = true;
          },
          // A failed read is retried at the next beat; the renewals report a database that stays down.
          onError: () => undefined,
        }),
      );
    }
  }

  /** Waits for a renewal in flight, then stops; the message and lease are left as they are. */
  async stop(): Promise<void> {
    this.#stopped = true;
    await Promise.all(this.#beats.map((b) => b.stop()));
  }

  /** Whether the message was handed over to the database lease (deleted at the SQS cap). */
  get messageRetired(): boolean {
    return this.#retired;
  }

  /** Deletes the message unless it was retired already. */
  async deleteMessage(): Promise<void> {
    if (!this.#retired) await this.target.deleteMessage();
  }

  /** Hands the message back to the queue (visible after `seconds`) unless it was retired already. */
  async returnMessage(seconds: number): Promise<void> {
    if (!this.#retired) await this.target.returnMessage?.(seconds);
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
        await this.target.deleteMessage();
        this.#retired = true;
      } else {
        await this.target.extendMessage(this.opts.visibilitySeconds);
      }
    } catch (err) {
      this.lostReason = `the message's visibility could not be extended: ${err instanceof Error ? err.message : String(err)}`;
    }
  }
}
