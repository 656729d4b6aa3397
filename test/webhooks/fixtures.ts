import { eq } from "drizzle-orm";
import { afterAll, afterEach, beforeAll } from "vitest";
import {
  webhookDeliveries,
  webhookEndpoints,
  type WebhookDelivery,
  type WebhookEndpoint,
} from "../../core/db/schema.ts";
import { enqueueWebhookEvent, type WebhookEventType } from "../../core/webhooks/outbox.ts";
import { createWebhookDispatcher, type WebhookDispatcherOptions } from "../../functions/webhooks/dispatcher.ts";
import { createTestApp, type TestApp } from "../helpers/test-app.ts";
import { startReceiver, type Receiver } from "./receiver.ts";

/**
 * Retries every 200 ms, four attempts: the real schedule's behaviour in a second. The send timeout is long so
 * that a loaded machine never turns a slow loopback answer into a retry; tests of the timeout set their own.
 */
export const FAST_WEBHOOKS = {
  GUARDTUNE_WEBHOOK_RETRY_SCHEDULE: "0,200ms,200ms,200ms",
  GUARDTUNE_WEBHOOK_TIMEOUT: "30s",
};

export async function createEndpoint(
  t: TestApp,
  url: string,
  events: string[] = ["*"],
  key?: string,
): Promise<{ id: string; secret: string }> {
  const res = await t.request("/v1/webhook_endpoints", { method: "POST", json: { url, events }, key });
  if (res.status !== 201) throw new Error(`creating endpoint: ${res.status} ${await res.text()}`);
  return (await res.json()) as { id: string; secret: string };
}

/** An outbox event for one endpoint only, as a job naming its own endpoint would write. */
export function emit(
  t: TestApp,
  endpointId: string | null,
  type: WebhookEventType = "fine_tuning.job.succeeded",
  data: Record<string, unknown> = { id: "ftjob_test", object: "fine_tuning.job", status: "succeeded" },
  tenantId: string = t.tenantId,
): Promise<string> {
  return enqueueWebhookEvent(t.deps.db, { tenantId, type, data, endpointId });
}

export function dispatcher(t: TestApp, opts: Partial<WebhookDispatcherOptions> = {}) {
  return createWebhookDispatcher({ db: t.deps.db, config: t.config, logger: t.deps.logger, ...opts });
}

export async function deliveriesOf(t: TestApp, endpointId: string): Promise<WebhookDelivery[]> {
  return t.deps.db.select().from(webhookDeliveries).where(eq(webhookDeliveries.endpointId, endpointId));
}

export async function endpointRow(t: TestApp, id: string): Promise<WebhookEndpoint> {
  const [row] = await t.deps.db.select().from(webhookEndpoints).where(eq(webhookEndpoints.id, id));
  return row;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The lifecycle of a delivery test file: one app with fast retries (handed to `onApp`), receivers that are
 * closed at the end, and no pending delivery left from one test to be retried into the next.
 */
export function webhookSuite(onApp: (t: TestApp) => void): { receiver: (port?: number) => Promise<Receiver> } {
  let t: TestApp | undefined;
  const receivers: Receiver[] = [];
  beforeAll(async () => {
    t = await createTestApp(FAST_WEBHOOKS);
    onApp(t);
  });
  afterEach(async () => {
    await t?.deps.db.update(webhookDeliveries).set({ status: "failed" }).where(eq(webhookDeliveries.status, "pending"));
  });
  afterAll(async () => {
    await Promise.all(receivers.map((r) => r.close().catch(() => undefined)));
    await t?.close();
  });
  return {
    receiver: async (port?: number) => {
      const r = await startReceiver({ port });
      receivers.push(r);
      return r;
    },
  };
}
