/**
 * The main-thread side of a session that lives on its own worker thread (ort-worker.mjs): requests are numbered
 * and answered in order. The worker holds the event loop open only while a request is pending, so a session
 * nobody released does not keep a finished process alive.
 */
import { Worker } from "node:worker_threads";

/** A tensor as it crosses the thread boundary: ORT's type name, dims and the data (copied). */
export interface WireTensor {
  readonly type: string;
  readonly dims: readonly number[];
  readonly data: unknown;
}

type Reply = { id: number; ok: true; value: unknown } | { id: number; ok: false; message: string };

export class WorkerSession {
  private nextId = 0;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private failure: Error | undefined;
  private names: { inputNames: readonly string[]; outputNames: readonly string[] } = {
    inputNames: [],
    outputNames: [],
  };

  private constructor(private readonly worker: Worker) {
    worker.on("message", (reply: Reply) => {
      const call = this.pending.get(reply.id);
      if (call === undefined) return;
      this.pending.delete(reply.id);
      if (this.pending.size === 0) worker.unref();
      if (reply.ok) call.resolve(reply.value);
      else call.reject(new Error(reply.message));
    });
    const fail = (error: Error) => {
      this.failure ??= error;
      for (const call of this.pending.values()) call.reject(error);
      this.pending.clear();
    };
    worker.on("error", (e) => fail(new Error(`the session's worker thread failed: ${e.message}`, { cause: e })));
    worker.on("exit", (code) => fail(new Error(`the session's worker thread exited (code ${code})`)));
    worker.unref();
  }

  /** Starts a worker and creates the session there; `options` are ORT's session options (plain data). */
  static async create(model: Uint8Array | string, options: object): Promise<WorkerSession> {
    const session = new WorkerSession(new Worker(new URL("./ort-worker.mjs", import.meta.url)));
    try {
      session.names = (await session.request({ op: "create", model, options })) as WorkerSession["names"];
      return session;
    } catch (error) {
      await session.worker.terminate();
      throw error;
    }
  }

  get inputNames(): readonly string[] {
    return this.names.inputNames;
  }

  get outputNames(): readonly string[] {
    return this.names.outputNames;
  }

  /** `move`: buffers of the feeds that go to the worker instead of being copied (they are left detached). */
  async run(
    feeds: Record<string, WireTensor>,
    fetch?: readonly string[],
    move: readonly ArrayBuffer[] = [],
  ): Promise<Record<string, WireTensor>> {
    return (await this.request({ op: "run", feeds, fetch: fetch ? [...fetch] : null }, move)) as Record<
      string,
      WireTensor
    >;
  }

  async release(): Promise<void> {
    try {
      if (this.failure === undefined) await this.request({ op: "release" });
    } finally {
      await this.worker.terminate();
    }
  }

  private request(message: Record<string, unknown>, move: readonly ArrayBuffer[] = []): Promise<unknown> {
    if (this.failure !== undefined) return Promise.reject(this.failure);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.ref();
      this.worker.postMessage({ ...message, id }, [...new Set(move)]);
    });
  }
}
