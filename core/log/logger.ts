import { destination, pino, type Logger } from "pino";

export type { Logger };

/** JSON logs on stderr (stdout is reserved for what commands print for people and scripts). */
export function createLogger(level: string, bindings: Record<string, unknown> = {}): Logger {
  return pino({ level, base: { service: "guardtune", ...bindings } }, destination(2));
}
