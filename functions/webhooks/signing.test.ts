import { Webhook } from "standardwebhooks";
import { describe, expect, it } from "vitest";
import { generateWebhookSecret, signingSecrets, webhookHeaders } from "./signing.ts";

describe("Standard Webhooks signing", () => {
  it("makes whsec_ secrets of 32 random bytes", () => {
    const s = generateWebhookSecret();
    expect(s).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(Buffer.from(s.slice(6), "base64")).toHaveLength(32);
    expect(generateWebhookSecret()).not.toBe(s);
  });

  it("signs so that the reference client verifies, with either secret during a rotation", () => {
    const [oldSecret, newSecret, stranger] = [
      generateWebhookSecret(),
      generateWebhookSecret(),
      generateWebhookSecret(),
    ];
    const body = JSON.stringify({ id: "msg_1", type: "webhook.test", created_at: 1, data: {} });
    const now = new Date();
    const headers = webhookHeaders("msg_1", body, [newSecret, oldSecret], now);
    expect(headers["webhook-signature"].split(" ")).toHaveLength(2);
    expect(new Webhook(newSecret).verify(body, headers)).toEqual(JSON.parse(body));
    expect(new Webhook(oldSecret).verify(body, headers)).toEqual(JSON.parse(body));
    expect(() => new Webhook(stranger).verify(body, headers)).toThrow(/No matching signature/);
    expect(() => new Webhook(newSecret).verify(body + " ", headers)).toThrow(/No matching signature/);
  });

  it("signs with the previous secret only until its overlap ends", () => {
    const now = new Date();
    const row = {
      secret: "whsec_new",
      previousSecret: "whsec_old",
      previousSecretExpiresAt: new Date(now.getTime() + 1000),
    };
    expect(signingSecrets(row, now)).toEqual(["whsec_new", "whsec_old"]);
    expect(signingSecrets(row, new Date(now.getTime() + 1001))).toEqual(["whsec_new"]);
    expect(signingSecrets({ ...row, previousSecret: null }, now)).toEqual(["whsec_new"]);
  });
});
