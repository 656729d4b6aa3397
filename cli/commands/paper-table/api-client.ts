/**
 * The API client of the paper table: the demo's client (which already retries reads over dropped connections),
 * plus creation that rides them out too. With the embedded stack the runners share this process, and a long
 * synchronous stretch of a job (sampling, judging) can delay the server past a kept-alive socket's timeout; the
 * next request then fails with `fetch failed`. A creating POST is retried only under an Idempotency-Key, so a
 * retry can never create a second job.
 */
import { randomUUID } from "node:crypto";
import { ApiClient } from "../demo-support.ts";

const ATTEMPTS = 6;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A failure to reach the server at all (undici's `TypeError: fetch failed`), as opposed to an HTTP error. */
const isConnectionFailure = (err: unknown) => err instanceof TypeError && /fetch failed/i.test(err.message);

export class RetryingApiClient extends ApiClient {
  readonly #key: string;

  constructor(baseUrl: string, key: string) {
    super(baseUrl, key);
    this.#key = key;
  }

  /** Creates a resource once, however many attempts it takes: every attempt carries the same Idempotency-Key. */
  async create<T>(path: string, body: unknown): Promise<T> {
    const key = randomUUID();
    return this.#retrying(async () => {
      const res = await fetch(`${this.baseUrl}${path}`, {
        method: "POST",
        headers: { authorization: `Bearer ${this.#key}`, "content-type": "application/json", "idempotency-key": key },
        body: JSON.stringify(body),
      });
      const text = await res.text();
      if (!res.ok) throw new Error(`POST ${path} → ${res.status}: ${text.slice(0, 500)}`);
      return JSON.parse(text) as T;
    }, `POST ${path}`);
  }

  async #retrying<T>(attempt: () => Promise<T>, what: string): Promise<T> {
    for (let i = 1; ; i++) {
      try {
        return await attempt();
      } catch (err) {
        if (!isConnectionFailure(err) || i >= ATTEMPTS)
          throw i > 1 ? new Error(`${what} failed after ${i} attempts`, { cause: err }) : err;
        await sleep(500 * 2 ** (i - 1));
      }
    }
  }
}
