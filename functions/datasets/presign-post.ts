import { createHmac } from "node:crypto";
import { PutObjectCommand } from "@aws-sdk/client-s3";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";
import type { AwsResources } from "../../core/aws/resources.ts";

/** A browser-style form upload: POST `url` as multipart/form-data with `fields` first and the file last. */
export interface PostUpload {
  method: "POST";
  url: string;
  fields: Record<string, string>;
  expires_at: number;
}

const hmac = (key: Buffer | string, data: string) => createHmac("sha256", key).update(data, "utf8").digest();

/**
 * AWS Signature Version 4 of a base64 POST policy: HMAC-SHA256 of the policy under the signing key derived
 * from the secret, the date (YYYYMMDD), the region and the service.
 */
export function signPostPolicy(
  policyBase64: string,
  secret: string,
  date: string,
  region: string,
  service = "s3",
): string {
  const key = hmac(hmac(hmac(hmac(`AWS4${secret}`, date), region), service), "aws4_request");
  return createHmac("sha256", key).update(policyBase64, "utf8").digest("hex");
}

/**
 * A presigned POST whose policy pins the key and an exact `content-length-range` of the declared size, so
 * S3 itself refuses any other size. Single request (S3 takes POST uploads up to 5 GB), no multipart.
 */
export async function presignPost(
  aws: AwsResources,
  req: { key: string; bytes: number; ttlSeconds: number; now?: Date },
): Promise<{ upload: PostUpload; expiresAt: Date }> {
  const now = req.now ?? new Date();
  const expiresAt = new Date(now.getTime() + req.ttlSeconds * 1000);
  const creds = await aws.s3.config.credentials();
  const region = await aws.s3.config.region();
  const amzDate = now
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d{3}/, ""); // 20260101T120000Z
  const date = amzDate.slice(0, 8);
  const credential = `${creds.accessKeyId}/${date}/${region}/s3/aws4_request`;
  const fields: Record<string, string> = {
    key: req.key,
    "x-amz-algorithm": "AWS4-HMAC-SHA256",
    "x-amz-credential": credential,
    "x-amz-date": amzDate,
  };
  if (creds.sessionToken) fields["x-amz-security-token"] = creds.sessionToken;
  const policy = Buffer.from(
    JSON.stringify({
      expiration: expiresAt.toISOString(),
      conditions: [
        { bucket: aws.bucket },
        ["eq", "$key", req.key],
        ["content-length-range", req.bytes, req.bytes],
        ...Object.entries(fields)
          .filter(([name]) => name !== "key")
          .map(([name, value]) => ({ [name]: value })),
      ],
    }),
  ).toString("base64");
  fields.policy = policy;
  fields["x-amz-signature"] = signPostPolicy(policy, creds.secretAccessKey, date, region);
  return {
    upload: { method: "POST", url: await bucketUrl(aws), fields, expires_at: Math.floor(expiresAt.getTime() / 1000) },
    expiresAt,
  };
}

/**
 * The bucket's base URL as the client resolves it (virtual-hosted or path style, custom endpoint or AWS):
 * a presigned URL of a probe key, with the key and the query removed.
 */
async function bucketUrl(aws: AwsResources): Promise<string> {
  const probe = "guardtune-probe";
  const url = new URL(
    await getSignedUrl(aws.s3, new PutObjectCommand({ Bucket: aws.bucket, Key: probe }), { expiresIn: 60 }),
  );
  url.search = "";
  url.pathname = url.pathname.slice(0, url.pathname.length - probe.length);
  return url.toString();
}
