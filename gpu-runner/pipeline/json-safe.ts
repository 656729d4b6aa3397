/**
 * PostgreSQL text and jsonb cannot hold U+0000, but sampled model output can contain it (an untrained model
 * emits any byte). Replaces it with U+FFFD everywhere in a JSON-like value before it is stored.
 */
export function jsonSafe<T>(value: T): T {
  if (typeof value === "string") return (value.includes("\u0000") ? value.replaceAll("\u0000", "\uFFFD") : value) as T;
  if (Array.isArray(value)) return value.map((v) => jsonSafe(v)) as T;
  if (value !== null && typeof value === "object" && !(value instanceof Date)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, jsonSafe(v)])) as T;
  }
  return value;
}
