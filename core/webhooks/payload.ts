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

/**
 * Returns the payload unchanged when its JSON is under `maxBytes`. Otherwise `data` is trimmed to its
 * top-level scalar fields (strings cut to 1000 characters), nested objects and arrays are dropped and
 * listed in `data.truncated_fields`, and `data.truncated` is true: a receiver that needs them fetches the
 * object by its id. If even that is too big, only `id`, `object` and `status` remain.
 */
export function fitWebhookPayload(payload: WebhookPayload, maxBytes: number = MAX_WEBHOOK_BODY_BYTES): WebhookPayload {
  if (byteSize(payload) < maxBytes) return payload;
  const kept: Record<string, unknown> = {};
  const dropped: string[] = [];
  for (const [key, value] of Object.entries(payload.data)) {
    if (value === null || typeof value === "number" || typeof value === "boolean") kept[key] = value;
    else if (typeof value === "string")
      kept[key] = value.length > MAX_KEPT_STRING_CHARS ? value.slice(0, MAX_KEPT_STRING_CHARS) : value;
    else dropped.push(key);
  }
  const trimmed = { ...payload, data: { ...kept, truncated: true, truncated_fields: dropped } };
  if (byteSize(trimmed) < maxBytes) return trimmed;
  const { id, object, status } = payload.data;
  return { ...payload, data: { id, object, status, truncated: true, truncated_fields: Object.keys(payload.data) } };
}
