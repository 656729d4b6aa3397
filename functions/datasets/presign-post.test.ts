import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmbeddedAws, type EmbeddedAws } from "../../core/aws/embedded-aws.ts";
import { presignPost, signPostPolicy } from "./presign-post.ts";

let aws: EmbeddedAws;
beforeAll(async () => {
  aws = await startEmbeddedAws();
});
afterAll(async () => {
  await aws?.stop();
});

describe("presigned POST (GUARDTUNE_UPLOAD_MODE=post)", () => {
  it("signs policies with the SigV4 signing-key chain (published step-by-step vector)", () => {
    // policy "alpha", secret "bravo", date "charlie", region "delta", service "echo"
    expect(signPostPolicy(Buffer.from("alpha").toString("base64"), "bravo", "charlie", "delta", "echo")).toBe(
      "7b9d11447e7bba48ef0d530f49d82de8adfd7b7ae064b144e6ac60d82166e4a6",
    );
  });

  it("pins the key and the exact size in a policy that expires with the upload", async () => {
    const now = new Date("2026-11-28T12:00:00.000Z");
    const { upload, expiresAt } = await presignPost(aws, {
      key: "tenants/t/datasets/file_1/a b.jsonl",
      bytes: 1234,
      ttlSeconds: 900,
      now,
    });
    expect(upload.method).toBe("POST");
    expect(upload.url).toBe(`${aws.emulatorEndpoint}/${aws.bucket}/`);
    expect(expiresAt.toISOString()).toBe("2026-11-28T12:15:00.000Z");
    const policy = JSON.parse(Buffer.from(upload.fields.policy, "base64").toString()) as {
      expiration: string;
      conditions: unknown[];
    };
    expect(policy.expiration).toBe("2026-11-28T12:15:00.000Z");
    expect(policy.conditions).toEqual(
      expect.arrayContaining([
        { bucket: aws.bucket },
        ["eq", "$key", "tenants/t/datasets/file_1/a b.jsonl"],
        ["content-length-range", 1234, 1234],
        { "x-amz-algorithm": "AWS4-HMAC-SHA256" },
        { "x-amz-date": "20261128T120000Z" },
        { "x-amz-credential": "guardtune/20261128/us-east-1/s3/aws4_request" },
      ]),
    );
    expect(upload.fields["x-amz-signature"]).toBe(
      signPostPolicy(upload.fields.policy, "guardtune-embedded", "20261128", "us-east-1"),
    );
  });
});
