/** Receivers get the whole object in the event so they need not call back, but bodies stay small. */
export const MAX_WEBHOOK_BODY_BYTES = 20_000;
const MAX_KEPT_STRING_CHARS = 1000;

export interface WebhookPayload {
  id: string;
  type: string;
  created_at: number;
  data: Record<string, unknown>;
}

const byteSize = (value: unknown) => Buffer.byteLength(JSON.stringify(value));

/** A nested value up to this size is kept whole when a payload is trimmed (a job's `error`, its `result.gate`). */
const MAX_KEPT_NESTED_BYTES = 8_000;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * Returns the payload unchanged when its JSON is under `maxBytes`. Otherwise `data` is trimmed: top-level
 * scalars stay (strings cut to 1000 characters), nested values up to 8 KB stay whole, and a larger nested
 * object keeps those of its own fields that are up to 8 KB (so a failed job's `error` and `result.gate` reach
 * the receiver while `result.evaluation` does not). What was dropped is listed in `data.truncated_fields`
 * (`result.evaluation`, or `metrics` for a whole field) and `data.truncated` is true: a receiver that needs it
 * fetches the object by its id. If that is still too big, only the top-level scalars remain; if even that is
 * too big, only `id`, `object` and `status`.
 */
export function fitWebhookPayload(payload: WebhookPayload, maxBytes: number = MAX_WEBHOOK_BODY_BYTES): WebhookPayload {
  if (byteSize(payload) < maxBytes) return payload;
  const kept: Record<string, unknown> = {};
  const scalars: Record<string, unknown> = {};
  const dropped: string[] = [];
  const droppedNested: string[] = [];
  for (const [key, value] of Object.entries(payload.data)) {
    if (value === null || typeof value === "number" || typeof value === "boolean") scalars[key] = value;
    else if (typeof value === "string")
      scalars[key] = value.length > MAX_KEPT_STRING_CHARS ? value.slice(0, MAX_KEPT_STRING_CHARS) : value;
    else {
      dropped.push(key);
      if (byteSize(value) <= MAX_KEPT_NESTED_BYTES) kept[key] = value;
      else if (isObject(value)) {
        const part: Record<string, unknown> = {};
        const gone: string[] = [];
        for (const [k, v] of Object.entries(value)) {
          if (byteSize(v) <= MAX_KEPT_NESTED_BYTES) part[k] = v;
          else gone.push(`${key}.${k}`);
        }
        if (Object.keys(part).length > 0) {
          kept[key] = part;
          droppedNested.push(...gone);
        } else droppedNested.push(key);
      } else droppedNested.push(key);
    }
  }
  const partial = {
    ...payload,
    data: { ...scalars, ...kept, truncated: true, truncated_fields: droppedNested },
  };
  if (byteSize(partial) < maxBytes) return partial;
  const trimmed = { ...payload, data: { ...scalars, truncated: true, truncated_fields: dropped } };
  if (byteSize(trimmed) < maxBytes) return trimmed;
  const { id, object, status } = payload.data;
  return { ...payload, data: { id, object, status, truncated: true, truncated_fields: Object.keys(payload.data) } };
}
