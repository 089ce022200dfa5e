import ipaddr from 'ipaddr.js';

/**
 * Which network destinations the web tools may reach. Only public unicast addresses are allowed by default;
 * everything ipaddr.js classifies otherwise (loopback, private, CGNAT, link-local, multicast, unspecified,
 * broadcast, reserved, IPv6 unique-local, IPv4-mapped / NAT64 / 6to4 / Teredo forms that can wrap any IPv4
 * address, documentation and benchmarking ranges) is refused unless the allowlist names it.
 */

const RANGE_SENTENCES: Record<string, string> = {
  loopback: 'a loopback address',
  private: 'a private address',
  carrierGradeNat: 'a carrier-grade NAT (shared, 100.64.0.0/10) address',
  linkLocal: 'a link-local address',
  multicast: 'a multicast address',
  unspecified: 'an unspecified address',
  broadcast: 'a broadcast address',
  reserved: 'a reserved address',
  uniqueLocal: 'an IPv6 unique-local (private) address',
  ipv4Mapped: 'an IPv4-mapped IPv6 address',
  rfc6145: 'an IPv4-translated IPv6 address',
  rfc6052: 'a NAT64 (IPv4-embedding) IPv6 address',
  '6to4': 'a 6to4 (IPv4-embedding) IPv6 address',
  teredo: 'a Teredo (IPv4-embedding) IPv6 address',
  benchmarking: 'a benchmarking address',
  discard: 'a discard-only address',
};

export interface AddressVerdict {
  allowed: boolean;
  /** ipaddr.js range name, e.g. "loopback", "private", "unicast". */
  range: string;
  /** The address in canonical form (IPv4-mapped IPv6 is shown as IPv4). */
  address: string;
  /** Why it is refused, as part of a sentence ("a loopback address"); empty when allowed. */
  reason: string;
}

/** Classifies one literal address. Throws on text that is not an IP address. */
export function classifyAddress(text: string): AddressVerdict {
  const parsed = parseAddress(text);
  const range = parsed.range();
  const address = parsed.toString();
  if (range === 'unicast') return { allowed: true, range, address, reason: '' };
  return { allowed: false, range, address, reason: RANGE_SENTENCES[range] ?? `a non-public address (${range})` };
}

/** Parses an address (brackets allowed), turning IPv4-mapped IPv6 into the IPv4 it wraps so both spellings are judged alike. */
export function parseAddress(text: string): ipaddr.IPv4 | ipaddr.IPv6 {
  const bare = text.startsWith('[') && text.endsWith(']') ? text.slice(1, -1) : text;
  // Only the strict four-part form: "0177.0.0.1" or "2130706433" must already have been normalised by the URL parser.
  if (!ipaddr.IPv6.isValid(bare) && !ipaddr.IPv4.isValidFourPartDecimal(bare)) throw new Error(`Not an IP address: ${text}`);
  const parsed = ipaddr.parse(bare);
  if (parsed.kind() === 'ipv6' && (parsed as ipaddr.IPv6).isIPv4MappedAddress()) return (parsed as ipaddr.IPv6).toIPv4Address();
  return parsed;
}

export function isIpLiteral(host: string): boolean {
  const bare = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  return ipaddr.IPv6.isValid(bare) || ipaddr.IPv4.isValidFourPartDecimal(bare);
}

type AllowRule =
  | { kind: 'cidr'; range: [ipaddr.IPv4 | ipaddr.IPv6, number] }
  | { kind: 'address'; address: string; port: number | null }
  | { kind: 'host'; host: string; port: number | null };

export interface Destination {
  /** URL host name, lower case, without brackets or trailing dot. */
  hostname: string;
  /** Effective port (80/443 when the URL names none). */
  port: number;
  /** Resolved (or literal) address about to be connected to. */
  address: string;
}

export interface AddressAllowlist {
  /** True when an entry permits connecting to this non-public destination. */
  permits(destination: Destination): boolean;
}

/**
 * Entries: "localhost", "localhost:8080", "127.0.0.1", "127.0.0.1:8080", "::1", "[::1]:8080", "10.0.0.0/8", "fd00::/8".
 * Throws on an entry it cannot read, so a typo in config fails at start-up instead of silently allowing nothing.
 */
export function createAddressAllowlist(entries: readonly string[]): AddressAllowlist {
  const rules = entries.map(parseRule);
  return {
    permits({ hostname, port, address }) {
      const host = normaliseHostname(hostname);
      let parsed: ipaddr.IPv4 | ipaddr.IPv6 | null = null;
      try {
        parsed = parseAddress(address);
      } catch {
        parsed = null;
      }
      return rules.some((rule) => {
        switch (rule.kind) {
          case 'cidr':
            return parsed !== null && parsed.kind() === rule.range[0].kind() && parsed.match(rule.range);
          case 'address':
            return parsed !== null && parsed.toString() === rule.address && (rule.port === null || rule.port === port);
          case 'host':
            return rule.host === host && (rule.port === null || rule.port === port);
        }
      });
    },
  };
}

function parseRule(entry: string): AllowRule {
  const text = entry.trim().toLowerCase();
  if (text.includes('/')) {
    try {
      const [address, bits] = ipaddr.parseCIDR(text);
      const normalised = address.kind() === 'ipv6' && (address as ipaddr.IPv6).isIPv4MappedAddress()
        ? ([(address as ipaddr.IPv6).toIPv4Address(), Math.max(0, bits - 96)] as [ipaddr.IPv4, number])
        : ([address, bits] as [ipaddr.IPv4 | ipaddr.IPv6, number]);
      return { kind: 'cidr', range: normalised };
    } catch {
      throw new Error(`web.allow_private_hosts: "${entry}" is not a valid CIDR range`);
    }
  }
  // "[::1]:8080" / "[::1]"
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(text);
  if (bracketed) return { kind: 'address', address: parseAddressRule(entry, bracketed[1] ?? ''), port: parsePort(entry, bracketed[2]) };
  if (isIpLiteral(text)) return { kind: 'address', address: parseAddressRule(entry, text), port: null };
  const hostPort = /^([^:]+):(\d+)$/.exec(text);
  const host = hostPort ? (hostPort[1] ?? '') : text;
  const port = hostPort ? parsePort(entry, hostPort[2]) : null;
  if (isIpLiteral(host)) return { kind: 'address', address: parseAddressRule(entry, host), port };
  if (!/^[a-z0-9]([a-z0-9.-]*[a-z0-9])?\.?$/.test(host)) throw new Error(`web.allow_private_hosts: "${entry}" is not a host, host:port, address or CIDR range`);
  return { kind: 'host', host: normaliseHostname(host), port };
}

function parseAddressRule(entry: string, text: string): string {
  try {
    return parseAddress(text).toString();
  } catch {
    throw new Error(`web.allow_private_hosts: "${entry}" is not a valid address`);
  }
}

function parsePort(entry: string, text: string | undefined): number | null {
  if (text === undefined) return null;
  const port = Number(text);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`web.allow_private_hosts: "${entry}" has an invalid port`);
  return port;
}

export function normaliseHostname(hostname: string): string {
  let host = hostname.toLowerCase();
  if (host.startsWith('[') && host.endsWith(']')) host = host.slice(1, -1);
  return host.endsWith('.') ? host.slice(0, -1) : host;
}
