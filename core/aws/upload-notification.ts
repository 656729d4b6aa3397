import { z } from "zod";

/**
 * The S3 event notification AWS puts on the uploads queue when an object is created, reduced to the fields
 * guardtune reads. The embedded stack writes the same JSON itself (the emulator sends no notifications), so
 * one consumer handles both.
 */
const S3EventRecord = z.object({
  eventSource: z.literal("aws:s3"),
  eventName: z.string(),
  s3: z.object({
    bucket: z.object({ name: z.string() }),
    object: z.object({ key: z.string(), size: z.number().int().nonnegative().optional(), eTag: z.string().optional() }),
  }),
});
const S3Event = z.object({ Records: z.array(z.unknown()) });

export interface ObjectCreated {
  bucket: string;
  /** Decoded object key (S3 URL-encodes keys in notifications, with `+` for spaces). */
  key: string;
  size: number | undefined;
  /** ETag without quotes. */
  etag: string | undefined;
}

/** ObjectCreated records of a queue message body; other events (e.g. `s3:TestEvent`) yield none. */
export function parseObjectCreated(body: string): ObjectCreated[] {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return [];
  }
  const event = S3Event.safeParse(json);
  if (!event.success) return [];
  const out: ObjectCreated[] = [];
  for (const raw of event.data.Records) {
    const rec = S3EventRecord.safeParse(raw);
    if (!rec.success || !rec.data.eventName.startsWith("ObjectCreated:")) continue;
    const o = rec.data.s3.object;
    out.push({
      bucket: rec.data.s3.bucket.name,
      key: decodeURIComponent(o.key.replace(/\+/g, " ")),
      size: o.size,
      etag: o.eTag ? unquote(o.eTag) : undefined,
    });
  }
  return out;
}

/** An S3 ETag without its surrounding quotes. */
export const unquote = (etag: string) => etag.replace(/^"|"$/g, "");

/** S3's key encoding in notifications: URL encoding with `+` for spaces and `/` kept. */
const encodeKey = (key: string) => encodeURIComponent(key).replace(/%20/g, "+").replace(/%2F/g, "/");

/** The notification JSON S3 sends for a created object (event format version 2.1). */
export function objectCreatedNotification(o: {
  region: string;
  bucket: string;
  key: string;
  size: number;
  etag: string;
  multipart: boolean;
  now?: Date;
}): string {
  const now = o.now ?? new Date();
  return JSON.stringify({
    Records: [
      {
        eventVersion: "2.1",
        eventSource: "aws:s3",
        awsRegion: o.region,
        eventTime: now.toISOString(),
        eventName: o.multipart ? "ObjectCreated:CompleteMultipartUpload" : "ObjectCreated:Put",
        userIdentity: { principalId: "guardtune" },
        requestParameters: { sourceIPAddress: "127.0.0.1" },
        responseElements: {},
        s3: {
          s3SchemaVersion: "1.0",
          configurationId: "guardtune-uploads",
          bucket: { name: o.bucket, ownerIdentity: { principalId: "guardtune" }, arn: `arn:aws:s3:::${o.bucket}` },
          object: {
            key: encodeKey(o.key),
            size: o.size,
            eTag: unquote(o.etag),
            sequencer: now.getTime().toString(16).toUpperCase(),
          },
        },
      },
    ],
  });
}
