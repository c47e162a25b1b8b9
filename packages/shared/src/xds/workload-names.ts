// Resource keys of the workload API and the raw-bytes form of IP addresses it uses. Apart from
// workload-api.ts (which loads protobufjs for its codec), so a ztunnel can use them without it.
import { isIPv4, isIPv6 } from 'node:net';
import type { Address, Authorization } from './workload-api';

/** Resource key of an Address: the workload uid, or `namespace/hostname` for a service. */
export function addressResourceName(address: Address): string {
  return address.workload ? address.workload.uid : `${address.service.namespace}/${address.service.hostname}`;
}

/** Resource key of an Authorization: `namespace/name`. */
export function authorizationResourceName(authorization: Authorization): string {
  return `${authorization.namespace}/${authorization.name}`;
}

/** `10.0.0.1` → 4 bytes, `fd00::1` → 16 bytes; throws on anything else. */
export function ipToBytes(ip: string): Uint8Array {
  if (isIPv4(ip)) return Uint8Array.from(ip.split('.'), Number);
  if (!isIPv6(ip)) throw new Error(`not an IP address: ${ip}`);
  let text = ip;
  const bytes = new Uint8Array(16);
  // An embedded IPv4 tail (::ffff:1.2.3.4) fills the last four bytes.
  const lastColon = text.lastIndexOf(':');
  let tailBytes = 0;
  if (text.includes('.', lastColon)) {
    bytes.set(ipToBytes(text.slice(lastColon + 1)), 12);
    text = `${text.slice(0, lastColon)}:0:0`;
    tailBytes = 4;
  }
  const [head = '', tail] = text.split('::');
  const headGroups = head === '' ? [] : head.split(':');
  const tailGroups = tail === undefined || tail === '' ? [] : tail.split(':');
  const groups = [...headGroups, ...new Array<string>(8 - headGroups.length - tailGroups.length).fill('0'), ...tailGroups];
  groups.forEach((group, index) => {
    if (index * 2 >= 16 - tailBytes) return;
    const value = Number.parseInt(group, 16);
    bytes[index * 2] = value >> 8;
    bytes[index * 2 + 1] = value & 0xff;
  });
  return bytes;
}

/** 4 or 16 bytes → textual IP (IPv6 in its canonical compressed form). */
export function bytesToIp(bytes: Uint8Array): string {
  if (bytes.length === 4) return bytes.join('.');
  if (bytes.length !== 16) throw new Error(`an IP address has 4 or 16 bytes, not ${bytes.length}`);
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push((((bytes[i] ?? 0) << 8) | (bytes[i + 1] ?? 0)).toString(16));
  // The URL parser serializes IPv6 hosts the RFC 5952 way (longest zero run compressed).
  return new URL(`http://[${groups.join(':')}]/`).hostname.slice(1, -1);
}
