/**
 * Addresses of the embedded mesh. Everything lives in 127.0.0.0/8, which Linux routes to the
 * loopback interface without any setup. Node N (1-based, at most 190) owns 127.(10+N).0.0/16:
 *
 *   127.(10+N).0.1                   the node's ztunnel (HBONE 15008, metrics 15020, ...)
 *   127.(10+N).1.1 – 127.(10+N).127.254    pod addresses on that node
 *   127.(10+N).128.1 – 127.(10+N).255.254  service addresses (VIPs) that node's ztunnel serves
 *
 * Each pod listens on and dials from its own address, so a ztunnel knows the source workload of
 * every connection from its source address.
 */
export const MAX_NODES = 190;

export type AddressPool = 'pod' | 'service';

const POOLS: Record<AddressPool, { first: number; last: number }> = {
  pod: { first: 1, last: 127 },
  service: { first: 128, last: 255 },
};

export function nodeName(index: number): string {
  return `node-${index}`;
}

/** `node-3` → 3: node names carry the number their addresses derive from. */
export function nodeIndex(name: string): number {
  const match = /^node-(\d+)$/.exec(name);
  if (!match) throw new Error(`"${name}" is not an embedded node name (node-<N>)`);
  return Number(match[1]);
}

export function nodeAddress(index: number): string {
  checkIndex(index);
  return `127.${10 + index}.0.1`;
}

function checkIndex(index: number): void {
  if (!Number.isInteger(index) || index < 1 || index > MAX_NODES) throw new Error(`node index ${index} is outside 1-${MAX_NODES}`);
}

/** Hands out the lowest free address of a node's pool; knows what is taken from what is stored. */
export class AddressAllocator {
  private readonly used = new Set<string>();

  constructor(inUse: Iterable<string> = []) {
    for (const address of inUse) this.used.add(address);
  }

  allocate(nodeIndex: number, pool: AddressPool): string {
    checkIndex(nodeIndex);
    const { first, last } = POOLS[pool];
    for (let third = first; third <= last; third++) {
      for (let fourth = 1; fourth <= 254; fourth++) {
        const address = `127.${10 + nodeIndex}.${third}.${fourth}`;
        if (!this.used.has(address)) {
          this.used.add(address);
          return address;
        }
      }
    }
    throw new Error(`node ${nodeName(nodeIndex)} has no free ${pool} address left`);
  }

  reserve(address: string): void {
    this.used.add(address);
  }

  release(address: string): void {
    this.used.delete(address);
  }
}
