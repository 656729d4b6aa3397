/**
 * Socket and DNS failures, by the `code` Node and undici give them: the next attempt on a healthy network may
 * succeed. One list for every caller that decides whether to retry (judges, the runner's failure classes).
 */
export const TRANSIENT_NETWORK_CODES: ReadonlySet<string> = new Set([
  "ECONNRESET",
  "ECONNREFUSED",
  "ETIMEDOUT",
  "EPIPE",
  "EAI_AGAIN",
  "ENOTFOUND",
  "ENETUNREACH",
  "EHOSTUNREACH",
  "ECONNABORTED",
  "UND_ERR_SOCKET",
]);

/** The string `code` of an error (Node's system errors, undici's, pg's SQLSTATE), if it has one. */
export function errorCode(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === "string" ? code : undefined;
}
