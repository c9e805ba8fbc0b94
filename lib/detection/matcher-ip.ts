/**
 * IP address handling for event patterns: `cidr` matchers and exact values that are IP addresses.
 *
 * Addresses are reduced to fixed-width hex (8 digits for IPv4, 32 for IPv6) so that "in range" is a plain string
 * comparison and every spelling of one IPv6 address (compressed, expanded, any case) compares equal. That is what
 * EventBridge's engine does: it turns both the pattern and the event value into the same hex form
 * (aws/event-ruler, CIDR.java), which is why `"2001:db8::1"` in a pattern also matches `"2001:DB8:0:0:0:0:0:1"`.
 *
 * Only dotted-quad IPv4 and hex-and-colon IPv6 count as addresses, as in the engine: no embedded IPv4 in IPv6
 * (`::ffff:1.2.3.4`), no zone ids, no shortened IPv4 (`10.1`). Octets with leading zeros are refused because their
 * reading (octal or decimal) differs between parsers.
 */
import { PatternError, type PathSegment } from './matcher-error';

const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;
const IPV6_CHARS = /^[0-9a-fA-F:]+$/;
const HEX_GROUP = /^[0-9a-fA-F]{1,4}$/;

function ipv4Hex(s: string): string | undefined {
  const m = IPV4.exec(s);
  if (m === null) return undefined;
  let hex = '';
  for (let i = 1; i <= 4; i++) {
    const octet = m[i]!;
    if (octet.length > 1 && octet[0] === '0') return undefined;
    const n = Number(octet);
    if (n > 255) return undefined;
    hex += n.toString(16).padStart(2, '0');
  }
  return hex;
}

function groupsHex(part: string): string[] | undefined {
  if (part === '') return [];
  const groups = part.split(':');
  for (const g of groups) if (!HEX_GROUP.test(g)) return undefined;
  return groups.map((g) => g.toLowerCase().padStart(4, '0'));
}

function ipv6Hex(s: string): string | undefined {
  if (!s.includes(':') || !IPV6_CHARS.test(s)) return undefined;
  const gap = s.indexOf('::');
  if (gap === -1) {
    const groups = groupsHex(s);
    return groups !== undefined && groups.length === 8 ? groups.join('') : undefined;
  }
  if (s.indexOf('::', gap + 1) !== -1) return undefined;
  const head = groupsHex(s.slice(0, gap));
  const tail = groupsHex(s.slice(gap + 2));
  if (head === undefined || tail === undefined) return undefined;
  const missing = 8 - head.length - tail.length;
  // "::" stands for at least one zero group.
  if (missing < 1) return undefined;
  return [...head, ...Array<string>(missing).fill('0000'), ...tail].join('');
}

/** Fixed-width lowercase hex of an IPv4 or IPv6 literal, or undefined when the string is not one. */
export function ipHex(s: string): string | undefined {
  // Cheapest discriminator first: IPv4 literals contain '.', IPv6 literals ':' and never '.'.
  if (s.length < 2 || s.length > 39) return undefined;
  return s.includes('.') ? ipv4Hex(s) : ipv6Hex(s);
}

export interface IpRange {
  readonly width: number;
  readonly low: string;
  readonly high: string;
}

export function inRange(range: IpRange, value: unknown): boolean {
  if (typeof value !== 'string') return false;
  const hex = ipHex(value);
  return hex !== undefined && hex.length === range.width && hex >= range.low && hex <= range.high;
}

/**
 * Parses `address/bits`. Refuses a network address with host bits set (`10.0.0.5/24`): the engine would quietly
 * read it as the range 10.0.0.5–10.0.0.255, which is never what the author meant.
 */
export function parseCidr(text: string, path: readonly PathSegment[]): IpRange {
  const parts = text.split('/');
  if (parts.length !== 2) throw new PatternError(path, `malformed CIDR "${text}": exactly one "/" is required`);
  const [address, bitsText] = parts as [string, string];
  if (!/^\d{1,3}$/.test(bitsText)) {
    throw new PatternError(path, `malformed CIDR "${text}": the prefix length must be a whole number`);
  }
  const hex = ipHex(address);
  if (hex === undefined) throw new PatternError(path, `malformed CIDR "${text}": "${address}" is not an IPv4 or IPv6 address`);
  const totalBits = hex.length * 4;
  const bits = Number(bitsText);
  if (bits > totalBits) {
    throw new PatternError(path, `malformed CIDR "${text}": the prefix length must be at most ${totalBits}`);
  }
  const value = BigInt(`0x${hex}`);
  const hostMask = (1n << BigInt(totalBits - bits)) - 1n;
  if ((value & hostMask) !== 0n) {
    const network = (value & ~hostMask).toString(16).padStart(hex.length, '0');
    const hint = hex.length === 8
      ? (network.match(/../g) ?? []).map((b) => parseInt(b, 16)).join('.')
      : (network.match(/..../g) ?? []).map((g) => g.replace(/^0+(?=.)/, '')).join(':');
    throw new PatternError(path, `CIDR "${text}" has host bits set; the network is ${hint}/${bits}`);
  }
  return { width: hex.length, low: hex, high: (value | hostMask).toString(16).padStart(hex.length, '0') };
}
