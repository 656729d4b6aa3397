import type { ServiceFactory } from "./background-service.ts";

/**
 * The background loops the embedded stack runs next to the API, in start order. Each returns null when
 * configuration turns it off.
 */
export const STACK_SERVICES: ReadonlyArray<readonly [string, ServiceFactory]> = [];
