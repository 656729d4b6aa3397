import { randomBytes } from "node:crypto";

const CROCKFORD = "0123456789abcdefghjkmnpqrstvwxyz";

/**
 * Time-sortable ids (`job_01j...`): 10 chars of milliseconds then 16 random chars, all Crockford base32,
 * so that ordering by id is ordering by creation and cursors need only the id.
 */
export function newId(prefix: string, now: number = Date.now()): string {
  let time = "";
  let t = now;
  for (let i = 0; i < 10; i++) {
    time = CROCKFORD[t % 32] + time;
    t = Math.floor(t / 32);
  }
  const rand = randomBytes(16);
  let tail = "";
  for (const b of rand) tail += CROCKFORD[b % 32];
  return `${prefix}_${time}${tail}`;
}

export const ID_PREFIX = {
  tenant: "ten",
  apiKey: "key",
  dataset: "file",
  job: "ftjob",
  event: "ftevent",
  checkpoint: "ftckpt",
  artifact: "art",
  webhookEndpoint: "we",
  webhookEvent: "msg",
  webhookDelivery: "wd",
  referenceKit: "rkit",
} as const;
