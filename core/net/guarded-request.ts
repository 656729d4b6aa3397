import { resolveOutboundTarget, systemLookupAll, type LookupAll, type OutboundPolicy } from "./outbound-guard.ts";
import { pinnedRequest, type PinnedRequest, type PinnedResponse } from "./pinned-request.ts";

/**
 * One outbound request to a configurable URL: the host is resolved and checked now, and the connection is
 * pinned to the checked address. Throws `OutboundTargetRefusedError` when the guard refuses the target,
 * and whatever the socket throws (with a `code` such as `ECONNREFUSED`) when the request fails.
 */
export async function guardedRequest(
  url: URL,
  policy: OutboundPolicy,
  request: PinnedRequest,
  lookup: LookupAll = systemLookupAll,
): Promise<PinnedResponse> {
  const target = await resolveOutboundTarget(url, policy, lookup);
  return pinnedRequest(url, target, request);
}
