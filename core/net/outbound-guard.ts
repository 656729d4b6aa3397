import dns from "node:dns";
import net from "node:net";

/**
 * The one SSRF guard for every outbound request to a configurable URL (webhook receivers, judges, anything
 * later). Without it a URL could point at the cloud metadata service or an internal admin port. URLs are
 * checked when they are saved, and the host is resolved again and checked at send time (DNS answers
 * change); the request then connects to exactly the address that was checked (`pinned-request.ts`), and
 * redirects are never followed. Private ranges are reachable only through the operator's allowlist.
 */
export interface OutboundPolicy {
  /** Plain http is accepted (embedded mode or an operator switch). */
  allowHttp: boolean;
  /** Host names, IP addresses or CIDRs that may be private. */
  allowlist: readonly string[];
  /** The variable the operator sets to extend `allowlist`, named in refusals so they say how to fix them. */
  allowlistVariable: string;
}

export interface ResolvedTarget {
  address: string;
  family: 4 | 6;
}

/** `dns.promises.lookup(host, { all: true })`, injectable so tests can make a name resolve anywhere. */
export type LookupAll = (hostname: string) => Promise<ReadonlyArray<{ address: string; family: number }>>;
export const systemLookupAll: LookupAll = (hostname) => dns.promises.lookup(hostname, { all: true, verbatim: true });

/** A request the guard would not send, with the reason. */
export class OutboundTargetRefusedError extends Error {
  override readonly name = "OutboundTargetRefusedError";
}

const REFUSED_RANGES: ReadonlyArray<readonly [cidr: string, label: string]> = [
  ["0.0.0.0/8", "'this network' (0.0.0.0/8)"],
  ["10.0.0.0/8", "private (10.0.0.0/8)"],
  ["100.64.0.0/10", "carrier-grade NAT (100.64.0.0/10)"],
  ["127.0.0.0/8", "loopback (127.0.0.0/8)"],
  ["169.254.0.0/16", "link-local / cloud metadata (169.254.0.0/16)"],
  ["172.16.0.0/12", "private (172.16.0.0/12)"],
  ["192.0.0.0/24", "IETF protocol assignments (192.0.0.0/24)"],
  ["192.0.2.0/24", "documentation (192.0.2.0/24)"],
  ["192.168.0.0/16", "private (192.168.0.0/16)"],
  ["198.18.0.0/15", "benchmarking (198.18.0.0/15)"],
  ["198.51.100.0/24", "documentation (198.51.100.0/24)"],
  ["203.0.113.0/24", "documentation (203.0.113.0/24)"],
  ["224.0.0.0/4", "multicast (224.0.0.0/4)"],
  ["240.0.0.0/4", "reserved / broadcast (240.0.0.0/4)"],
  ["::/128", "unspecified (::)"],
  ["::1/128", "loopback (::1)"],
  // Mapped and translated forms can carry any IPv4 address, private ones included.
  ["::ffff:0:0/96", "IPv4-mapped IPv6 (::ffff:0:0/96)"],
  ["64:ff9b::/96", "NAT64 (64:ff9b::/96)"],
  ["64:ff9b:1::/48", "local NAT64 (64:ff9b:1::/48)"],
  ["2002::/16", "6to4 (2002::/16)"],
  ["100::/64", "discard (100::/64)"],
  ["2001:db8::/32", "documentation (2001:db8::/32)"],
  ["fc00::/7", "unique local / cloud metadata (fc00::/7)"],
  ["fe80::/10", "link-local (fe80::/10)"],
  ["fec0::/10", "site-local (fec0::/10)"],
  ["ff00::/8", "multicast (ff00::/8)"],
];

const familyOf = (address: string): "ipv4" | "ipv6" => (net.isIPv4(address) ? "ipv4" : "ipv6");

function subnetList(cidr: string): net.BlockList {
  const list = new net.BlockList();
  const [base, bits] = cidr.split("/");
  if (bits === undefined) list.addAddress(base, familyOf(base));
  else list.addSubnet(base, Number(bits), familyOf(base));
  return list;
}

// node's BlockList treats IPv4 addresses as IPv4-mapped IPv6 internally, so an IPv6 rule like
// ::ffff:0:0/96 would match every IPv4 address: rules are only applied to addresses of their own family.
const REFUSED = REFUSED_RANGES.map(([cidr, label]) => ({
  list: subnetList(cidr),
  family: familyOf(cidr.split("/")[0]),
  label,
}));

/** The refused range an IP address falls in (a label for error messages), or null when it is public. */
export function refusedRange(address: string): string | null {
  const family = familyOf(address);
  for (const rule of REFUSED) if (rule.family === family && rule.list.check(address, family)) return rule.label;
  return null;
}

/** Host names without brackets or the root dot, lower case: `[::1]` → `::1`, `LocalHost.` → `localhost`. */
const bareHost = (hostname: string) =>
  hostname
    .replace(/^\[(.*)\]$/, "$1")
    .replace(/\.$/, "")
    .toLowerCase();

interface ParsedAllowlist {
  hosts: Set<string>;
  addresses: net.BlockList;
}
const allowlistCache = new WeakMap<readonly string[], ParsedAllowlist>();

function parseAllowlist(entries: readonly string[]): ParsedAllowlist {
  const cached = allowlistCache.get(entries);
  if (cached) return cached;
  const parsed: ParsedAllowlist = { hosts: new Set(), addresses: new net.BlockList() };
  for (const raw of entries) {
    const entry = bareHost(raw.trim());
    if (!entry) continue;
    const [base, bits] = entry.split("/");
    if (net.isIP(base) === 0) {
      parsed.hosts.add(entry);
    } else if (bits === undefined) {
      parsed.addresses.addAddress(base, familyOf(base));
    } else {
      parsed.addresses.addSubnet(base, Number(bits), familyOf(base));
    }
  }
  allowlistCache.set(entries, parsed);
  return parsed;
}

const isLocalName = (host: string) => host === "localhost" || host.endsWith(".localhost");

/**
 * The checks that need no DNS, run when an endpoint is saved and again before each delivery. Returns the
 * problem in words, or null when the URL is acceptable.
 */
export function outboundUrlProblem(raw: string, policy: OutboundPolicy): string | null {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return "is not a valid absolute URL";
  }
  if (url.protocol !== "https:" && !(url.protocol === "http:" && policy.allowHttp)) {
    return policy.allowHttp ? "must use http or https" : "must use https";
  }
  if (url.username || url.password) return "must not contain credentials";
  const host = bareHost(url.hostname);
  if (!host) return "must name a host";
  const allow = parseAllowlist(policy.allowlist);
  if (allow.hosts.has(host)) return null;
  if (net.isIP(host) !== 0) {
    const range = refusedRange(host);
    if (range && !allow.addresses.check(host, familyOf(host))) {
      return `points at a ${range} address, which is refused unless listed in ${policy.allowlistVariable}`;
    }
  } else if (isLocalName(host)) {
    return `names '${host}', which is refused unless listed in ${policy.allowlistVariable}`;
  }
  return null;
}

/**
 * Resolves the URL's host now and returns the address to connect to. Every address the name resolves to
 * must be public (or allow-listed), so that a name mixing public and private answers is refused rather
 * than sometimes delivered inside. Throws `OutboundTargetRefusedError` with the reason.
 */
export async function resolveOutboundTarget(
  url: URL,
  policy: OutboundPolicy,
  lookup: LookupAll = systemLookupAll,
): Promise<ResolvedTarget> {
  const problem = outboundUrlProblem(url.href, policy);
  if (problem) throw new OutboundTargetRefusedError(`refused: URL ${problem}`);
  const host = bareHost(url.hostname);
  const allow = parseAllowlist(policy.allowlist);
  let answers: ReadonlyArray<{ address: string; family: number }>;
  if (net.isIP(host) !== 0) {
    answers = [{ address: host, family: net.isIP(host) }];
  } else {
    try {
      answers = await lookup(host);
    } catch (err) {
      throw new OutboundTargetRefusedError(
        `DNS lookup of '${host}' failed: ${err instanceof Error ? err.message : String(err)}`,
        {
          cause: err,
        },
      );
    }
  }
  if (answers.length === 0) throw new OutboundTargetRefusedError(`DNS lookup of '${host}' returned no address`);
  if (!allow.hosts.has(host)) {
    for (const { address } of answers) {
      const range = refusedRange(address);
      if (range && !allow.addresses.check(address, familyOf(address))) {
        throw new OutboundTargetRefusedError(
          `refused: '${host}' resolves to ${address}, a ${range} address; allow-list it with ${policy.allowlistVariable} if intended`,
        );
      }
    }
  }
  const first = answers[0];
  return { address: first.address, family: first.family === 6 ? 6 : 4 };
}
