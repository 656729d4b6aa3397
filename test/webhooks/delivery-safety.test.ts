import http from "node:http";
import type { AddressInfo } from "node:net";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { webhookAttempts, webhookDeliveries, webhookEndpoints } from "../../core/db/schema.ts";
import { ID_PREFIX, newId } from "../../core/ids.ts";
import { claimDueDeliveries } from "../../functions/webhooks/claim-deliveries.ts";
import { fanOutWebhookEvents } from "../../functions/webhooks/fan-out.ts";
import type { LookupAll } from "../../core/net/outbound-guard.ts";
import type { TestApp } from "../helpers/test-app.ts";
import { createEndpoint, deliveriesOf, dispatcher, emit, webhookSuite } from "./fixtures.ts";
import { verifyWith } from "./receiver.ts";

let t: TestApp;
const { receiver } = webhookSuite((app) => (t = app));

/** A dispatcher under the production policy (nothing allow-listed; http allowed to reach the test receiver), one attempt. */
const strictDispatcher = (lookup?: LookupAll) =>
  dispatcher(t, {
    config: {
      ...t.config,
      mode: "external",
      webhooks: { ...t.config.webhooks, allowlist: [], allowHttp: true, retryScheduleMs: [0] },
    },
    lookup,
  });

/** Stores an endpoint directly, as if created under a looser policy than the dispatcher's now. */
async function storedEndpoint(url: string): Promise<string> {
  const id = newId(ID_PREFIX.webhookEndpoint);
  await t.deps.db.insert(webhookEndpoints).values({
    id,
    tenantId: t.tenantId,
    url,
    events: ["*"],
    secret: "whsec_" + Buffer.alloc(32, 7).toString("base64"),
  });
  return id;
}

describe("SSRF guard at delivery time", () => {
  it.each([
    ["http://10.0.0.1/", "10.0.0.0/8"],
    ["http://172.16.5.5/", "172.16.0.0/12"],
    ["http://192.168.0.1/", "192.168.0.0/16"],
    ["http://127.0.0.1:1/", "127.0.0.0/8"],
    ["http://169.254.169.254/latest/meta-data/", "169.254.0.0/16"],
    ["http://100.64.0.1/", "100.64.0.0/10"],
    ["http://0.0.0.0/", "0.0.0.0/8"],
    ["http://224.0.0.1/", "224.0.0.0/4"],
    ["http://[::1]/", "::1"],
    ["http://[fc00::1]/", "fc00::/7"],
    ["http://[fe80::1]/", "fe80::/10"],
    ["http://[::ffff:127.0.0.1]/", "::ffff:0:0/96"],
    ["http://localhost:1/", "localhost"],
  ])("refuses %s and records why", async (url, range) => {
    const id = await storedEndpoint(url);
    await emit(t, id);
    await strictDispatcher().runOnce();
    const [d] = await deliveriesOf(t, id);
    expect(d.status).toBe("failed"); // a refusal is a failed attempt (retried per the schedule, here of one attempt)
    expect(d.lastStatusCode).toBeNull();
    expect(d.lastError).toMatch(/^refused: /);
    expect(d.lastError).toContain(range);
    const attempts = await t.deps.db.select().from(webhookAttempts).where(eq(webhookAttempts.deliveryId, d.id));
    expect(attempts).toHaveLength(1);
  });

  it("refuses names that resolve to private addresses at delivery time", async () => {
    const r = await receiver();
    const ep = await createEndpoint(t, `http://hooks.customer.example:${r.port}/hooks`);
    await emit(t, ep.id);
    await strictDispatcher(async () => [{ address: "127.0.0.1", family: 4 }]).runOnce();
    const [d] = await deliveriesOf(t, ep.id);
    expect(d.lastError).toContain("'hooks.customer.example' resolves to 127.0.0.1, a loopback (127.0.0.0/8) address");
    expect(r.received).toHaveLength(0);
  });

  it("connects to the address it checked, not to a second DNS answer", async () => {
    const r = await receiver();
    // The name does not exist in real DNS: a delivery can only arrive if the checked address is the one used.
    const ep = await createEndpoint(t, `http://pinned.invalid:${r.port}/hooks`);
    await emit(t, ep.id);
    let lookups = 0;
    const lookup: LookupAll = async (host) => {
      if (host === "pinned.invalid") lookups++;
      return [{ address: "127.0.0.1", family: 4 }];
    };
    await dispatcher(t, { lookup }).runOnce();
    const [got] = await r.waitFor(1);
    expect(lookups).toBe(1);
    expect(got.headers.host).toBe(`pinned.invalid:${r.port}`);
    verifyWith(ep.secret, got);
  });

  it("does not follow redirects", async () => {
    const target = await receiver();
    const r = await receiver();
    r.respond = () => ({ status: 307, headers: { location: target.url } });
    const ep = await createEndpoint(t, r.url);
    await emit(t, ep.id);
    await dispatcher(t).runOnce();
    // runOnce has returned: a followed redirect would already have reached the target.
    expect(r.received).toHaveLength(1);
    expect(target.received).toHaveLength(0);
    const [d] = await deliveriesOf(t, ep.id);
    expect(d).toMatchObject({ status: "pending", lastStatusCode: 307 });
    expect(d.lastError).toContain("redirects are not followed");
  });

  it("gives up on a receiver that does not answer within the timeout", async () => {
    // Accepts the connection and never answers.
    const hang = http.createServer(() => undefined);
    await new Promise<void>((resolve) => hang.listen(0, "127.0.0.1", () => resolve()));
    try {
      const ep = await createEndpoint(t, `http://127.0.0.1:${(hang.address() as AddressInfo).port}/hooks`);
      await emit(t, ep.id);
      // Returning at all is the check: without the timeout this send would wait for the test's own timeout.
      await dispatcher(t, { config: { ...t.config, webhooks: { ...t.config.webhooks, timeoutMs: 300 } } }).runOnce();
      const [d] = await deliveriesOf(t, ep.id);
      expect(d).toMatchObject({ status: "pending", lastStatusCode: null });
      expect(d.lastError).toContain("timed out after 300 ms");
    } finally {
      hang.closeAllConnections();
      hang.close();
    }
  });
  it("keeps delivering to others while one receiver hangs", async () => {
    // Holds every request until the test releases it: the slow send stays in flight for as long as the test needs.
    let arrived!: () => void;
    const slowArrived = new Promise<void>((resolve) => (arrived = resolve));
    const held: http.ServerResponse[] = [];
    const hang = http.createServer((_req, res) => {
      held.push(res);
      arrived();
    });
    await new Promise<void>((resolve) => hang.listen(0, "127.0.0.1", () => resolve()));
    try {
      const slow = await createEndpoint(t, `http://127.0.0.1:${(hang.address() as AddressInfo).port}/hooks`);
      const fast = await receiver();
      const ep = await createEndpoint(t, fast.url);
      await emit(t, slow.id);
      let finished = false;
      const run = dispatcher(t, {
        batchSize: 2,
        config: { ...t.config, webhooks: { ...t.config.webhooks, timeoutMs: 60_000 } },
      })
        .runOnce()
        .finally(() => (finished = true));
      await slowArrived; // the hanging send holds one of the two slots
      for (let i = 0; i < 3; i++) await emit(t, ep.id);
      // The free slot keeps serving the others while the slow send is still unanswered.
      await fast.waitFor(3, 60_000);
      expect(held).toHaveLength(1);
      expect(finished).toBe(false);
      for (const res of held) res.writeHead(204).end();
      expect(await run).toMatchObject({ attempted: 4, succeeded: 4 });
    } finally {
      hang.closeAllConnections();
      hang.close();
    }
  });
});

describe("several dispatchers and crashes", () => {
  it("two dispatchers in parallel never send the same delivery twice", async () => {
    const r = await receiver();
    const ep = await createEndpoint(t, r.url);
    const n = 40;
    const ids = new Set<string>();
    for (let i = 0; i < n; i++) ids.add(await emit(t, ep.id));
    // A timeout no load can reach: a timed-out send would be retried and counted twice for a reason other than claiming.
    const config = { ...t.config, webhooks: { ...t.config.webhooks, timeoutMs: 60_000 } };
    const a = dispatcher(t, { batchSize: 4, config });
    const b = dispatcher(t, { batchSize: 4, config });
    const [sa, sb] = await Promise.all([a.runOnce(), b.runOnce()]);
    expect(sa.attempted + sb.attempted).toBe(n);
    expect(sa.fannedOut + sb.fannedOut).toBe(n);
    // Both runs have returned, so every request they made has been answered and recorded by the receiver.
    const webhookIds = r.received.map((g) => g.headers["webhook-id"]);
    expect(webhookIds).toHaveLength(n);
    expect(new Set(webhookIds)).toEqual(ids);
    const deliveries = await deliveriesOf(t, ep.id);
    expect(deliveries).toHaveLength(n);
    expect(deliveries.every((d) => d.status === "succeeded" && d.attempts === 1)).toBe(true);
  });

  // PGlite has one connection: a second claim would wait for the open transaction instead of skipping.
  it.skipIf(!process.env.DATABASE_URL)(
    "claims skip rows another transaction holds locked (Postgres only)",
    async () => {
      const ep = await createEndpoint(t, "http://127.0.0.1:9/hooks");
      await emit(t, ep.id);
      await emit(t, ep.id);
      await fanOutWebhookEvents(t.deps.db);
      const [locked, free] = await deliveriesOf(t, ep.id);
      let release!: () => void;
      let lockTaken!: () => void;
      const taken = new Promise<void>((r) => (lockTaken = r));
      const holder = t.deps.db.transaction(async (tx) => {
        await tx.select().from(webhookDeliveries).where(eq(webhookDeliveries.id, locked.id)).for("update");
        lockTaken();
        await new Promise<void>((r) => (release = r));
      });
      await taken;
      const claimed = await claimDueDeliveries(t.deps.db, { dispatcherId: "other", limit: 10, leaseMs: 1000 });
      release();
      await holder;
      expect(claimed.map((d) => d.id)).toContain(free.id);
      expect(claimed.map((d) => d.id)).not.toContain(locked.id);
    },
  );

  it("redelivers with the same webhook-id when a dispatcher dies between sending and recording", async () => {
    const r = await receiver();
    const ep = await createEndpoint(t, r.url);
    const eventId = await emit(t, ep.id);
    // The lease is long and time is moved past it explicitly, so a slow machine cannot expire it early.
    const leaseMs = 60_000;
    const later = () => new Date(Date.now() + leaseMs + 1000);
    const crashing = dispatcher(t, {
      leaseMs,
      afterSend: () => {
        throw new Error("process killed after the receiver answered");
      },
    });
    expect(await crashing.runOnce()).toMatchObject({ attempted: 1, unrecorded: 1 });
    expect(r.received).toHaveLength(1);
    const healthy = dispatcher(t, { leaseMs });
    expect(await healthy.runOnce()).toMatchObject({ attempted: 0 }); // the dead one's claim still holds
    const afterLease = dispatcher(t, { leaseMs, now: later });
    expect(await afterLease.runOnce()).toMatchObject({ attempted: 1, succeeded: 1 });
    expect(r.received.map((g) => g.headers["webhook-id"])).toEqual([eventId, eventId]);
    for (const g of r.received) verifyWith(ep.secret, g);
    const [d] = await deliveriesOf(t, ep.id);
    expect(d).toMatchObject({ status: "succeeded", attempts: 2 });
  });
});
