/**
 * The last `capacity` authorization decisions of a proxy (inbound connections at ztunnel, requests
 * at the waypoint), for the admin port's `/debug/flows` and the control plane's impact previews.
 * Recording is on the hot path: columns are preallocated, a record stores references to strings
 * and objects the proxy already holds and a few numbers, and allocates nothing. Records are only
 * turned into objects when read.
 *
 * Each record gets the next sequence number of the ring (1, 2, …), so a reader pages by "after
 * sequence N" and sees every record once, however many share a millisecond. The numbers restart
 * with the proxy; `boot`, new for every ring, tells a reader that they did.
 */
import { randomUUID } from 'node:crypto';
import type { FlowRecord } from '@ambit/shared/authz';

/** What the ring keeps of a workload: whatever the proxy holds, read only when served. */
export interface FlowWorkload {
  readonly namespace: string;
  readonly name: string;
}

export const DEFAULT_FLOW_CAPACITY = 4096;

/** The answer of `/debug/flows?after=<sequence>`. */
export interface FlowPage {
  proxy: string;
  /** Names this run of the proxy: a different one means the sequence numbers started over. */
  boot: string;
  /** Sequence number of `flows[0]` (`last + 1` when there are none): above `after + 1`, the ring overwrote records in between. */
  first: number;
  /** The newest sequence number given; 0 before the first record. */
  last: number;
  /** Oldest first. */
  flows: FlowRecord[];
}

const ALLOWED = 1;
const WAYPOINT = 2;

export class FlowRing {
  readonly capacity: number;
  readonly boot = randomUUID();
  private readonly times: Float64Array;
  private readonly ports: Uint16Array;
  private readonly flags: Uint8Array;
  private readonly rules: Int32Array;
  private readonly principals: (string | undefined)[];
  private readonly sourceIps: string[];
  private readonly sources: (FlowWorkload | undefined)[];
  private readonly destinationIps: string[];
  private readonly destinations: (FlowWorkload | undefined)[];
  private readonly services: (string | undefined)[];
  private readonly methods: (string | undefined)[];
  private readonly paths: (string | undefined)[];
  private readonly hosts: (string | undefined)[];
  private readonly policies: (string | undefined)[];
  private next = 0;
  private size = 0;
  /** Sequence number of the newest record: the records held are `sequence - size + 1 … sequence`. */
  private sequence = 0;

  constructor(
    /** `ztunnel/<node>` or `waypoint/<ns>/<name>`. */
    readonly proxy: string,
    capacity = DEFAULT_FLOW_CAPACITY,
  ) {
    this.capacity = Math.max(1, Math.floor(capacity));
    const n = this.capacity;
    this.times = new Float64Array(n);
    this.ports = new Uint16Array(n);
    this.flags = new Uint8Array(n);
    this.rules = new Int32Array(n);
    this.principals = new Array(n).fill(undefined);
    this.sourceIps = new Array(n).fill('');
    this.sources = new Array(n).fill(undefined);
    this.destinationIps = new Array(n).fill('');
    this.destinations = new Array(n).fill(undefined);
    this.services = new Array(n).fill(undefined);
    this.methods = new Array(n).fill(undefined);
    this.paths = new Array(n).fill(undefined);
    this.hosts = new Array(n).fill(undefined);
    this.policies = new Array(n).fill(undefined);
  }

  get length(): number {
    return this.size;
  }

  /** A ztunnel's inbound connection decision (L4). `ruleIndex` -1 when no rule decided. */
  recordConnection(
    principal: string | undefined,
    sourceIp: string,
    source: FlowWorkload | undefined,
    destinationIp: string,
    destinationPort: number,
    destination: FlowWorkload | undefined,
    allowed: boolean,
    policy: string | undefined,
    ruleIndex: number,
  ): void {
    const i = this.slot(principal, sourceIp, source, destinationIp, destinationPort, allowed, policy, ruleIndex);
    this.destinations[i] = destination;
    this.services[i] = undefined;
    this.methods[i] = undefined;
    this.paths[i] = undefined;
    this.hosts[i] = undefined;
  }

  /** A waypoint's request decision (L7): the service dialed (`destinationIp` its VIP), method, path and host. */
  recordRequest(
    principal: string | undefined,
    sourceIp: string,
    source: FlowWorkload | undefined,
    destinationIp: string,
    destinationPort: number,
    service: string,
    method: string,
    path: string,
    host: string,
    allowed: boolean,
    policy: string | undefined,
    ruleIndex: number,
  ): void {
    const i = this.slot(principal, sourceIp, source, destinationIp, destinationPort, allowed, policy, ruleIndex);
    this.flags[i] = (this.flags[i] as number) | WAYPOINT;
    this.destinations[i] = undefined;
    this.services[i] = service;
    this.methods[i] = method;
    this.paths[i] = path;
    this.hosts[i] = host;
  }

  private slot(
    principal: string | undefined,
    sourceIp: string,
    source: FlowWorkload | undefined,
    destinationIp: string,
    destinationPort: number,
    allowed: boolean,
    policy: string | undefined,
    ruleIndex: number,
  ): number {
    const i = this.next;
    this.next = i + 1 === this.capacity ? 0 : i + 1;
    if (this.size < this.capacity) this.size++;
    this.sequence++;
    this.times[i] = Date.now();
    this.ports[i] = destinationPort;
    this.flags[i] = allowed ? ALLOWED : 0;
    this.rules[i] = ruleIndex;
    this.principals[i] = principal;
    this.sourceIps[i] = sourceIp;
    this.sources[i] = source;
    this.destinationIps[i] = destinationIp;
    this.policies[i] = policy;
    return i;
  }

  /** The records held with a sequence number above `sequence`, oldest first. */
  after(sequence = 0): FlowPage {
    const oldest = this.sequence - this.size + 1;
    const skip = Math.min(this.size, Math.max(0, Math.floor(sequence) + 1 - oldest));
    const flows: FlowRecord[] = [];
    const start = (this.next - this.size + this.capacity) % this.capacity;
    for (let k = skip; k < this.size; k++) flows.push(this.read((start + k) % this.capacity));
    return { proxy: this.proxy, boot: this.boot, first: oldest + skip, last: this.sequence, flows };
  }

  private read(i: number): FlowRecord {
    const flags = this.flags[i] as number;
    const record: FlowRecord = {
      time: this.times[i] as number,
      reporter: flags & WAYPOINT ? 'waypoint' : 'ztunnel',
      proxy: this.proxy,
      sourceIp: this.sourceIps[i] as string,
      destinationIp: this.destinationIps[i] as string,
      destinationPort: this.ports[i] as number,
      allowed: (flags & ALLOWED) !== 0,
    };
    const principal = this.principals[i];
    if (principal !== undefined) record.sourcePrincipal = principal;
    const source = this.sources[i];
    if (source) record.sourceWorkload = `${source.namespace}/${source.name}`;
    const destination = this.destinations[i];
    if (destination) record.destinationWorkload = `${destination.namespace}/${destination.name}`;
    const service = this.services[i];
    if (service !== undefined) record.destinationService = service;
    const method = this.methods[i];
    if (method !== undefined) record.method = method;
    const path = this.paths[i];
    if (path !== undefined) record.path = path;
    const host = this.hosts[i];
    if (host !== undefined) record.host = host;
    const policy = this.policies[i];
    if (policy !== undefined) record.policy = policy;
    const rule = this.rules[i] as number;
    if (rule >= 0) record.ruleIndex = rule;
    return record;
  }
}
