// The ADS server seen from raw gRPC clients: delta (ztunnel's workload API), state of the world,
// and clients that misbehave. Responses are decoded with schemas written here, independently of
// the server's own .proto files, from the field numbers Istio and Envoy define.
import http2 from 'node:http2';
import { createRequire } from 'node:module';
import path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { pino } from 'pino';
import protobuf from 'protobufjs';
import { afterEach, describe, expect, it } from 'vitest';
import {
  type Authorization,
  ipToBytes,
  MemoryResourceSource,
  type ProxyStatus,
  packAddress,
  packAuthorization,
  packEnvoyResource,
  type ResourceChange,
  type ResourceSource,
  startXdsServer,
  TypeUrl,
  type VersionedResource,
  type Workload,
  type XdsServer,
  type XdsServerOptions,
} from '../src/xds/index';

// ---------- an independent reading of istio.workload / istio.security ----------

type FieldSpec = [name: string, id: number, type: string, rule?: 'repeated'];

function message(name: string, fields: FieldSpec[]): protobuf.Type {
  const type = new protobuf.Type(name);
  for (const [fieldName, id, fieldType, rule] of fields) type.add(new protobuf.Field(fieldName, id, fieldType, rule));
  return type;
}

const checkRoot = new protobuf.Root();
checkRoot.define('check').add(message('Empty', []));
checkRoot.define('check').add(
  message('NetworkAddress', [
    ['network', 1, 'string'],
    ['address', 2, 'bytes'],
  ]),
);
checkRoot.define('check').add(
  message('NamespacedHostname', [
    ['namespace', 1, 'string'],
    ['hostname', 2, 'string'],
  ]),
);
checkRoot.define('check').add(
  message('Port', [
    ['service_port', 1, 'uint32'],
    ['target_port', 2, 'uint32'],
    ['app_protocol', 3, 'int32'],
  ]),
);
checkRoot.define('check').add(message('PortList', [['ports', 1, 'Port', 'repeated']]));
checkRoot.define('check').add(
  message('GatewayAddress', [
    ['hostname', 1, 'NamespacedHostname'],
    ['address', 2, 'NetworkAddress'],
    ['hbone_mtls_port', 3, 'uint32'],
  ]),
);
checkRoot.define('check').add(
  message('Locality', [
    ['region', 1, 'string'],
    ['zone', 2, 'string'],
    ['subzone', 3, 'string'],
  ]),
);
const checkWorkload = message('Workload', [
  ['uid', 20, 'string'],
  ['name', 1, 'string'],
  ['namespace', 2, 'string'],
  ['addresses', 3, 'bytes', 'repeated'],
  ['hostname', 21, 'string'],
  ['network', 4, 'string'],
  ['tunnel_protocol', 5, 'int32'],
  ['trust_domain', 6, 'string'],
  ['service_account', 7, 'string'],
  ['waypoint', 8, 'GatewayAddress'],
  ['node', 9, 'string'],
  ['canonical_name', 10, 'string'],
  ['canonical_revision', 11, 'string'],
  ['workload_type', 12, 'int32'],
  ['workload_name', 13, 'string'],
  ['authorization_policies', 16, 'string', 'repeated'],
  ['status', 17, 'int32'],
  ['cluster_id', 18, 'string'],
  ['locality', 24, 'Locality'],
]);
checkWorkload.add(new protobuf.MapField('services', 22, 'string', 'PortList'));
checkRoot.define('check').add(checkWorkload);
checkRoot.define('check').add(
  message('Service', [
    ['name', 1, 'string'],
    ['namespace', 2, 'string'],
    ['hostname', 3, 'string'],
    ['addresses', 4, 'NetworkAddress', 'repeated'],
    ['ports', 5, 'Port', 'repeated'],
    ['subject_alt_names', 6, 'string', 'repeated'],
    ['waypoint', 7, 'GatewayAddress'],
  ]),
);
checkRoot.define('check').add(
  message('Address', [
    ['workload', 1, 'Workload'],
    ['service', 2, 'Service'],
  ]),
);
checkRoot.define('check').add(
  message('StringMatch', [
    ['exact', 1, 'string'],
    ['prefix', 2, 'string'],
    ['suffix', 3, 'string'],
    ['presence', 4, 'Empty'],
  ]),
);
checkRoot.define('check').add(
  message('Cidr', [
    ['address', 1, 'bytes'],
    ['length', 2, 'uint32'],
  ]),
);
checkRoot.define('check').add(
  message('ServiceAccountMatch', [
    ['namespace', 1, 'string'],
    ['service_account', 2, 'string'],
  ]),
);
checkRoot.define('check').add(
  message('Match', [
    ['namespaces', 1, 'StringMatch', 'repeated'],
    ['not_namespaces', 2, 'StringMatch', 'repeated'],
    ['principals', 3, 'StringMatch', 'repeated'],
    ['not_principals', 4, 'StringMatch', 'repeated'],
    ['source_ips', 5, 'Cidr', 'repeated'],
    ['not_source_ips', 6, 'Cidr', 'repeated'],
    ['destination_ips', 7, 'Cidr', 'repeated'],
    ['not_destination_ips', 8, 'Cidr', 'repeated'],
    ['destination_ports', 9, 'uint32', 'repeated'],
    ['not_destination_ports', 10, 'uint32', 'repeated'],
    ['service_accounts', 11, 'ServiceAccountMatch', 'repeated'],
    ['not_service_accounts', 12, 'ServiceAccountMatch', 'repeated'],
  ]),
);
checkRoot.define('check').add(message('Clause', [['matches', 2, 'Match', 'repeated']]));
checkRoot.define('check').add(message('Rule', [['clauses', 1, 'Clause', 'repeated']]));
checkRoot.define('check').add(
  message('Authorization', [
    ['name', 1, 'string'],
    ['namespace', 2, 'string'],
    ['scope', 3, 'int32'],
    ['action', 4, 'int32'],
    ['rules', 5, 'Rule', 'repeated'],
    ['dry_run', 6, 'bool'],
  ]),
);
checkRoot.resolveAll();
const CheckAddress = checkRoot.lookupType('check.Address');
const CheckAuthorization = checkRoot.lookupType('check.Authorization');
// biome-ignore lint/suspicious/noExplicitAny: decoded test messages are inspected field by field
const decodeWith = (type: protobuf.Type, bytes: Uint8Array): any => type.toObject(type.decode(bytes), { longs: Number, defaults: false });

// ---------- a raw ADS client (Envoy's envelope loaded with @grpc/proto-loader) ----------

const require = createRequire(import.meta.url);
const envoyDeps = path.join(path.dirname(require.resolve('@grpc/grpc-js-xds/package.json')), 'deps');
const adsPackage = protoLoader.loadSync('envoy/service/discovery/v3/ads.proto', {
  keepCase: true,
  longs: String,
  enums: String,
  defaults: true,
  oneofs: true,
  includeDirs: ['envoy-api', 'xds', 'googleapis', 'protoc-gen-validate'].map((dir) => path.join(envoyDeps, dir)),
});
// biome-ignore lint/suspicious/noExplicitAny: navigating a loaded package definition
const AdsClient = (grpc.loadPackageDefinition(adsPackage) as any).envoy.service.discovery.v3
  .AggregatedDiscoveryService as grpc.ServiceClientConstructor;

interface WireAny {
  type_url: string;
  value: Buffer;
}
interface SotwResponse {
  version_info: string;
  resources: WireAny[];
  type_url: string;
  nonce: string;
}
interface DeltaResponse {
  system_version_info: string;
  resources: { name: string; version: string; resource: WireAny }[];
  type_url: string;
  removed_resources: string[];
  nonce: string;
}

async function until<T>(probe: () => T | undefined | false, what: string, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** One ADS stream and everything it received, read in order. */
class Stream<Response extends { type_url: string; nonce: string }> {
  readonly received: Response[] = [];
  status: grpc.StatusObject | undefined;
  private cursor = 0;

  constructor(readonly call: grpc.ClientDuplexStream<object, Response>) {
    call.on('data', (response: Response) => this.received.push(response));
    call.on('status', (status) => {
      this.status = status;
    });
    call.on('error', () => {});
  }

  send(request: object): void {
    this.call.write(request);
  }

  /** The next unread response (of a type, when given). */
  async next(typeUrl?: string, timeoutMs = 5000): Promise<Response> {
    return until(
      () => {
        while (this.cursor < this.received.length) {
          const response = this.received[this.cursor++];
          if (response && (!typeUrl || response.type_url === typeUrl)) return response;
        }
        return undefined;
      },
      `a ${typeUrl ?? 'any'} response`,
      timeoutMs,
    );
  }

  async ended(timeoutMs = 5000): Promise<grpc.StatusObject> {
    return until(() => this.status, 'the stream to end', timeoutMs);
  }

  close(): void {
    this.call.cancel();
  }
}

const ZTUNNEL_ID = 'ztunnel~10.0.0.1~ztunnel-x1.istio-system~istio-system.svc.cluster.local';
const ztunnelNode = (id = ZTUNNEL_ID) => ({ id, metadata: { fields: { NODE_NAME: { stringValue: 'node-1' } } } });

const reviewsV1: Workload = {
  uid: 'Kubernetes//Pod/default/reviews-v1',
  name: 'reviews-v1',
  namespace: 'default',
  addresses: [ipToBytes('10.0.0.11')],
  tunnelProtocol: 'HBONE',
  trustDomain: 'cluster.local',
  serviceAccount: 'reviews',
  node: 'node-1',
  canonicalName: 'reviews',
  canonicalRevision: 'v1',
  workloadType: 'POD',
  workloadName: 'reviews-v1',
  services: { 'default/reviews.default.svc.cluster.local': { ports: [{ servicePort: 9080, targetPort: 9080, appProtocol: 'HTTP11' }] } },
  authorizationPolicies: ['default/allow-productpage'],
  waypoint: { address: { network: '', address: ipToBytes('10.0.0.200') }, hboneMtlsPort: 15008 },
  status: 'HEALTHY',
  clusterId: 'Kubernetes',
  locality: { region: 'eu', zone: 'eu-1' },
};

const denyOutsiders: Authorization = {
  name: 'deny-outsiders',
  namespace: 'default',
  scope: 'NAMESPACE',
  action: 'DENY',
  rules: [
    {
      clauses: [
        {
          matches: [
            { notPrincipals: [{ prefix: 'cluster.local/ns/default/' }], notSourceIps: [{ address: ipToBytes('10.0.0.0'), length: 8 }] },
          ],
        },
        { matches: [{ destinationPorts: [9080], serviceAccounts: [{ namespace: 'default', serviceAccount: 'productpage' }] }] },
      ],
    },
  ],
};

function meshSource(): MemoryResourceSource {
  const source = new MemoryResourceSource();
  source.set(reviewsV1.uid, packAddress({ workload: reviewsV1 }));
  source.set(
    'default/reviews.default.svc.cluster.local',
    packAddress({
      service: {
        name: 'reviews',
        namespace: 'default',
        hostname: 'reviews.default.svc.cluster.local',
        addresses: [{ network: '', address: ipToBytes('10.96.0.20') }],
        ports: [{ servicePort: 9080, targetPort: 9080 }],
        waypoint: { hostname: { namespace: 'default', hostname: 'waypoint.default.svc.cluster.local' }, hboneMtlsPort: 15008 },
      },
    }),
  );
  source.set('default/deny-outsiders', packAuthorization(denyOutsiders));
  return source;
}

const FAST_DEBOUNCE = { quietMs: 5, maxDelayMs: 50 };

describe('xDS server over raw gRPC', () => {
  const cleanups: Array<() => unknown> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function serve(source: ResourceSource, options: Partial<XdsServerOptions> = {}): Promise<XdsServer> {
    const xds = await startXdsServer({ port: 0, source, logger: pino({ level: 'silent' }), debounce: FAST_DEBOUNCE, ...options });
    cleanups.push(() => xds.stop());
    return xds;
  }

  function client(xds: XdsServer): grpc.Client {
    const created = new AdsClient(`127.0.0.1:${xds.port}`, grpc.credentials.createInsecure());
    cleanups.push(() => created.close());
    return created;
  }

  function openDelta(xds: XdsServer, via = client(xds)): Stream<DeltaResponse> {
    // biome-ignore lint/suspicious/noExplicitAny: dynamic client method
    const stream = new Stream<DeltaResponse>((via as any).DeltaAggregatedResources());
    cleanups.push(() => stream.close());
    return stream;
  }

  function openSotw(xds: XdsServer, via = client(xds)): Stream<SotwResponse> {
    // biome-ignore lint/suspicious/noExplicitAny: dynamic client method
    const stream = new Stream<SotwResponse>((via as any).StreamAggregatedResources());
    cleanups.push(() => stream.close());
    return stream;
  }

  const proxyWithId = (xds: XdsServer, id: string) => xds.listProxies().find((proxy) => proxy.id === id);
  const typeOf = (proxy: ProxyStatus | undefined, typeUrl: string) => proxy?.types.find((type) => type.typeUrl === typeUrl);
  const names = (response: DeltaResponse) => response.resources.map((resource) => resource.name).sort();

  describe('delta (ztunnel, workload API)', () => {
    it('sends Address and Authorization resources a ztunnel decodes with its own schema, then only what changes', {
      timeout: 15_000,
    }, async () => {
      const source = meshSource();
      const xds = await serve(source);
      const ztunnel = openDelta(xds);
      ztunnel.send({ node: ztunnelNode(), type_url: TypeUrl.address });
      ztunnel.send({ type_url: TypeUrl.authorization, resource_names_subscribe: ['*'] });

      const addresses = await ztunnel.next(TypeUrl.address);
      expect(names(addresses)).toEqual(['Kubernetes//Pod/default/reviews-v1', 'default/reviews.default.svc.cluster.local']);
      const workloadEntry = addresses.resources.find((resource) => resource.name === reviewsV1.uid);
      expect(workloadEntry?.resource.type_url).toBe('type.googleapis.com/istio.workload.Address');
      const { workload } = decodeWith(CheckAddress, workloadEntry?.resource.value ?? Buffer.alloc(0));
      expect(workload).toMatchObject({
        uid: 'Kubernetes//Pod/default/reviews-v1',
        name: 'reviews-v1',
        namespace: 'default',
        tunnel_protocol: 1,
        trust_domain: 'cluster.local',
        service_account: 'reviews',
        node: 'node-1',
        canonical_name: 'reviews',
        canonical_revision: 'v1',
        workload_type: 2,
        workload_name: 'reviews-v1',
        authorization_policies: ['default/allow-productpage'],
        cluster_id: 'Kubernetes',
        locality: { region: 'eu', zone: 'eu-1' },
        services: { 'default/reviews.default.svc.cluster.local': { ports: [{ service_port: 9080, target_port: 9080, app_protocol: 1 }] } },
        waypoint: { hbone_mtls_port: 15008 },
      });
      expect([...workload.addresses[0]]).toEqual([10, 0, 0, 11]);
      expect([...workload.waypoint.address.address]).toEqual([10, 0, 0, 200]);
      expect(workload.status ?? 0).toBe(0); // HEALTHY

      const serviceEntry = addresses.resources.find((resource) => resource.name === 'default/reviews.default.svc.cluster.local');
      const { service } = decodeWith(CheckAddress, serviceEntry?.resource.value ?? Buffer.alloc(0));
      expect(service).toMatchObject({
        name: 'reviews',
        namespace: 'default',
        hostname: 'reviews.default.svc.cluster.local',
        ports: [{ service_port: 9080, target_port: 9080 }],
        waypoint: { hostname: { namespace: 'default', hostname: 'waypoint.default.svc.cluster.local' }, hbone_mtls_port: 15008 },
      });
      expect([...service.addresses[0].address]).toEqual([10, 96, 0, 20]);
      ztunnel.send({ type_url: TypeUrl.address, response_nonce: addresses.nonce });

      const policies = await ztunnel.next(TypeUrl.authorization);
      expect(names(policies)).toEqual(['default/deny-outsiders']);
      const policy = decodeWith(CheckAuthorization, policies.resources[0]?.resource.value ?? Buffer.alloc(0));
      expect(policy).toMatchObject({ name: 'deny-outsiders', namespace: 'default', scope: 1, action: 1 });
      const [first, second] = policy.rules[0].clauses;
      expect(first.matches[0].not_principals).toEqual([{ prefix: 'cluster.local/ns/default/' }]);
      expect([...first.matches[0].not_source_ips[0].address]).toEqual([10, 0, 0, 0]);
      expect(first.matches[0].not_source_ips[0].length).toBe(8);
      expect(second.matches[0].destination_ports).toEqual([9080]);
      expect(second.matches[0].service_accounts).toEqual([{ namespace: 'default', service_account: 'productpage' }]);
      ztunnel.send({ type_url: TypeUrl.authorization, response_nonce: policies.nonce });

      // An update carries only the changed workload.
      source.set(reviewsV1.uid, packAddress({ workload: { ...reviewsV1, status: 'UNHEALTHY' } }));
      const update = await ztunnel.next(TypeUrl.address);
      expect(names(update)).toEqual([reviewsV1.uid]);
      expect(update.removed_resources).toEqual([]);
      expect(decodeWith(CheckAddress, update.resources[0]?.resource.value ?? Buffer.alloc(0)).workload.status).toBe(1);
      expect(Number(update.system_version_info)).toBeGreaterThan(Number(addresses.system_version_info));
      ztunnel.send({ type_url: TypeUrl.address, response_nonce: update.nonce });

      // A deletion arrives as removed_resources.
      source.delete(TypeUrl.address, 'default/reviews.default.svc.cluster.local');
      const removal = await ztunnel.next(TypeUrl.address);
      expect(removal.resources).toEqual([]);
      expect(removal.removed_resources).toEqual(['default/reviews.default.svc.cluster.local']);
      ztunnel.send({ type_url: TypeUrl.address, response_nonce: removal.nonce });

      const proxy = await until(() => {
        const found = proxyWithId(xds, ZTUNNEL_ID);
        const address = typeOf(found, TypeUrl.address);
        return address?.versionAcked === removal.system_version_info && !address.pending && found;
      }, 'the removal to be acknowledged');
      expect(proxy).toMatchObject({ kind: 'ztunnel', nodeName: 'node-1', transport: 'delta' });
      expect(proxy.proxy).toMatchObject({ ip: '10.0.0.1', name: 'ztunnel-x1', namespace: 'istio-system' });
      expect(typeOf(proxy, TypeUrl.address)).toMatchObject({ wildcard: true, resourceCount: 1, acks: 3, nacks: 0 });
      expect(typeOf(proxy, TypeUrl.authorization)).toMatchObject({ wildcard: true, resourceCount: 1, acks: 1 });
      const metrics = xds.metricsText();
      expect(metrics).toMatch(/^pilot_xds 1$/m);
      expect(metrics).toMatch(/^pilot_xds_pushes\{type="wds"\} 3$/m);
      expect(metrics).toMatch(/^pilot_xds_push_time_count\{type="wds"\} 3$/m);
      expect(metrics).toMatch(/^pilot_proxy_convergence_time_count [1-9]/m);
    });

    it('does not resend what a reconnecting ztunnel already has, and reports what was deleted meanwhile', { timeout: 15_000 }, async () => {
      const source = meshSource();
      const xds = await serve(source);
      const before = openDelta(xds);
      before.send({ node: ztunnelNode(), type_url: TypeUrl.address });
      const initial = await before.next(TypeUrl.address);
      const held = Object.fromEntries(initial.resources.map((resource) => [resource.name, resource.version]));
      before.close();
      await until(() => xds.listProxies().length === 0, 'the first stream to go away');

      const unchanged = openDelta(xds);
      unchanged.send({ node: ztunnelNode(), type_url: TypeUrl.address, initial_resource_versions: held });
      const nothingNew = await unchanged.next(TypeUrl.address);
      expect(nothingNew.resources).toEqual([]);
      expect(nothingNew.removed_resources).toEqual([]);
      unchanged.close();
      await until(() => xds.listProxies().length === 0, 'the second stream to go away');

      source.set(reviewsV1.uid, packAddress({ workload: { ...reviewsV1, canonicalRevision: 'v2' } }));
      source.delete(TypeUrl.address, 'default/reviews.default.svc.cluster.local');
      const after = openDelta(xds);
      after.send({ node: ztunnelNode(), type_url: TypeUrl.address, initial_resource_versions: held });
      const catchUp = await after.next(TypeUrl.address);
      expect(names(catchUp)).toEqual([reviewsV1.uid]);
      expect(catchUp.removed_resources).toEqual(['default/reviews.default.svc.cluster.local']);
    });

    it('records a NACK per nonce, keeps the proxy on its last good version and does not resend the rejected one', {
      timeout: 15_000,
    }, async () => {
      const source = meshSource();
      const xds = await serve(source);
      const ztunnel = openDelta(xds);
      ztunnel.send({ node: ztunnelNode(), type_url: TypeUrl.address });
      const initial = await ztunnel.next(TypeUrl.address);
      ztunnel.send({ type_url: TypeUrl.address, response_nonce: initial.nonce });

      source.set(reviewsV1.uid, packAddress({ workload: { ...reviewsV1, canonicalRevision: 'bad' } }));
      const rejected = await ztunnel.next(TypeUrl.address);
      ztunnel.send({
        type_url: TypeUrl.address,
        response_nonce: rejected.nonce,
        error_detail: { code: 3, message: 'workload reviews-v1: bad revision' },
      });
      const nacked = await until(() => typeOf(proxyWithId(xds, ZTUNNEL_ID), TypeUrl.address)?.lastNack, 'the NACK to be recorded');
      expect(nacked).toMatchObject({
        message: 'workload reviews-v1: bad revision',
        nonce: rejected.nonce,
        version: rejected.system_version_info,
      });
      expect(typeOf(proxyWithId(xds, ZTUNNEL_ID), TypeUrl.address)).toMatchObject({
        versionAcked: initial.system_version_info,
        versionSent: rejected.system_version_info,
        nacks: 1,
      });

      // The next push carries only the new resource, not the rejected one again.
      const ratings: Workload = {
        ...reviewsV1,
        uid: 'Kubernetes//Pod/default/ratings-v1',
        name: 'ratings-v1',
        addresses: [ipToBytes('10.0.0.12')],
      };
      source.set(ratings.uid, packAddress({ workload: ratings }));
      const next = await ztunnel.next(TypeUrl.address);
      expect(names(next)).toEqual([ratings.uid]);
      ztunnel.send({ type_url: TypeUrl.address, response_nonce: next.nonce });
      await until(
        () => typeOf(proxyWithId(xds, ZTUNNEL_ID), TypeUrl.address)?.versionAcked === next.system_version_info,
        'the next push to be acknowledged',
      );
      expect(xds.metricsText()).toMatch(/^pilot_total_xds_rejects\{type="wds"\} 1$/m);
    });

    it('follows explicit subscribe and unsubscribe', { timeout: 15_000 }, async () => {
      const source = meshSource();
      const xds = await serve(source);
      const ztunnel = openDelta(xds);
      ztunnel.send({ node: ztunnelNode(), type_url: TypeUrl.address, resource_names_subscribe: [reviewsV1.uid] });
      const first = await ztunnel.next(TypeUrl.address);
      expect(names(first)).toEqual([reviewsV1.uid]);

      ztunnel.send({
        type_url: TypeUrl.address,
        response_nonce: first.nonce,
        resource_names_subscribe: ['default/reviews.default.svc.cluster.local'],
      });
      const second = await ztunnel.next(TypeUrl.address);
      expect(names(second)).toEqual(['default/reviews.default.svc.cluster.local']);

      ztunnel.send({ type_url: TypeUrl.address, response_nonce: second.nonce, resource_names_unsubscribe: [reviewsV1.uid] });
      await until(() => typeOf(proxyWithId(xds, ZTUNNEL_ID), TypeUrl.address)?.resourceNames.length === 1, 'the unsubscribe');
      source.set(reviewsV1.uid, packAddress({ workload: { ...reviewsV1, canonicalRevision: 'v9' } }));
      source.delete(TypeUrl.address, 'default/reviews.default.svc.cluster.local');
      const third = await ztunnel.next(TypeUrl.address);
      expect(third.resources).toEqual([]);
      expect(third.removed_resources).toEqual(['default/reviews.default.svc.cluster.local']);
    });
  });

  describe('pushes', () => {
    /** Workloads per node; ztunnels on the same node share one view. Counts how often views are computed. */
    class PerNodeSource implements ResourceSource {
      computed = 0;
      private readonly byNode = new Map<string, Map<string, VersionedResource>>();
      private readonly listeners = new Set<(change: ResourceChange) => void>();

      resources(proxy: { nodeName?: string }, typeUrl: string): ReadonlyMap<string, VersionedResource> {
        this.computed++;
        return typeUrl === TypeUrl.address ? new Map(this.byNode.get(proxy.nodeName ?? '')) : new Map();
      }
      viewKey(proxy: { nodeName?: string }): string {
        return `node:${proxy.nodeName}`;
      }
      onChange(listener: (change: ResourceChange) => void): () => void {
        this.listeners.add(listener);
        return () => this.listeners.delete(listener);
      }
      put(node: string, workload: Workload, version: string, proxies?: ReadonlySet<string>): void {
        const resources = this.byNode.get(node) ?? new Map<string, VersionedResource>();
        resources.set(workload.uid, { version, resource: packAddress({ workload }) });
        this.byNode.set(node, resources);
        for (const listener of this.listeners) listener({ typeUrls: new Set([TypeUrl.address]), proxies });
      }
    }

    it('computes each shared view once per change and pushes only to the proxies whose view changed', { timeout: 15_000 }, async () => {
      const source = new PerNodeSource();
      source.put('node-1', { ...reviewsV1, node: 'node-1' }, 'a1');
      source.put('node-2', { ...reviewsV1, uid: 'Kubernetes//Pod/default/ratings', name: 'ratings', node: 'node-2' }, 'b1');
      const xds = await serve(source);
      const onNode = (id: string, node: string) => {
        const stream = openDelta(xds);
        stream.send({ node: { id, metadata: { fields: { NODE_NAME: { stringValue: node } } } }, type_url: TypeUrl.address });
        return stream;
      };
      const nodeOne = [onNode('z1a', 'node-1'), onNode('z1b', 'node-1'), onNode('z1c', 'node-1')];
      const nodeTwo = onNode('z2', 'node-2');
      for (const stream of nodeOne) expect(names(await stream.next(TypeUrl.address))).toEqual([reviewsV1.uid]);
      expect(names(await nodeTwo.next(TypeUrl.address))).toEqual(['Kubernetes//Pod/default/ratings']);
      expect(source.computed).toBe(2);

      // A change scoped to node-2's ztunnel recomputes and pushes only its view.
      source.put(
        'node-2',
        { ...reviewsV1, uid: 'Kubernetes//Pod/default/ratings', name: 'ratings', node: 'node-2', canonicalRevision: 'v2' },
        'b2',
        new Set(['z2']),
      );
      const scoped = await nodeTwo.next(TypeUrl.address);
      expect(scoped.resources.map((resource) => resource.version)).toEqual(['b2']);
      expect(source.computed).toBe(3);
      expect(
        xds
          .listProxies()
          .filter((proxy) => proxy.id.startsWith('z1'))
          .map((proxy) => proxy.types[0]?.responses),
      ).toEqual([1, 1, 1]);

      // A change for everyone recomputes both views once; node-2's did not change, so it gets nothing.
      source.put('node-1', { ...reviewsV1, node: 'node-1', canonicalRevision: 'v2' }, 'a2');
      for (const stream of nodeOne)
        expect((await stream.next(TypeUrl.address)).resources.map((resource) => resource.version)).toEqual(['a2']);
      expect(source.computed).toBe(5);
      expect(proxyWithId(xds, 'z2')?.types[0]?.responses).toBe(2);
    });
  });

  describe('state of the world (Envoy v3)', () => {
    const listenerNamed = (name: string, port: number) =>
      packEnvoyResource('envoy.config.listener.v3.Listener', {
        name,
        address: { socketAddress: { address: '0.0.0.0', portValue: port } },
      });
    const routesNamed = (name: string, cluster: string) =>
      packEnvoyResource('envoy.config.route.v3.RouteConfiguration', {
        name,
        virtualHosts: [{ name, domains: ['*'], routes: [{ match: { prefix: '/' }, route: { cluster } }] }],
      });
    const waypointNode = {
      id: 'waypoint-1',
      metadata: { fields: { AMBIT_PROXY_KIND: { stringValue: 'waypoint' }, WAYPOINT: { stringValue: 'default/waypoint' } } },
    };

    it('serves LDS as a wildcard and RDS by name, tracks ACK and NACK, and ignores stale nonces', { timeout: 15_000 }, async () => {
      const source = new MemoryResourceSource();
      source.set('inbound', listenerNamed('inbound', 15008));
      source.set('outbound', listenerNamed('outbound', 15001));
      source.set('r1', routesNamed('r1', 'c1'));
      source.set('r2', routesNamed('r2', 'c2'));
      const xds = await serve(source);
      const waypoint = openSotw(xds);

      waypoint.send({ node: waypointNode, type_url: TypeUrl.listener, resource_names: [] });
      const listeners = await waypoint.next(TypeUrl.listener);
      expect(listeners.resources).toHaveLength(2);
      expect(listeners.version_info).not.toBe('');

      waypoint.send({ type_url: TypeUrl.routeConfiguration, resource_names: ['r1'] });
      const routes = await waypoint.next(TypeUrl.routeConfiguration);
      expect(routes.resources).toHaveLength(1);
      waypoint.send({
        type_url: TypeUrl.listener,
        version_info: listeners.version_info,
        response_nonce: listeners.nonce,
        resource_names: [],
      });
      waypoint.send({
        type_url: TypeUrl.routeConfiguration,
        version_info: '',
        response_nonce: routes.nonce,
        resource_names: ['r1'],
        error_detail: { code: 3, message: 'route r1: unknown cluster c1' },
      });

      // A listener changes: LDS is full state, so both listeners come again.
      source.set('outbound', listenerNamed('outbound', 15002));
      const pushed = await waypoint.next(TypeUrl.listener);
      expect(pushed.resources).toHaveLength(2);
      // A request carrying the previous nonce is stale: its narrower names must be ignored.
      waypoint.send({
        type_url: TypeUrl.listener,
        version_info: listeners.version_info,
        response_nonce: listeners.nonce,
        resource_names: ['inbound'],
      });
      waypoint.send({ type_url: TypeUrl.listener, version_info: pushed.version_info, response_nonce: pushed.nonce, resource_names: [] });

      const proxy = await until(() => {
        const found = proxyWithId(xds, 'waypoint-1');
        return typeOf(found, TypeUrl.listener)?.versionAcked === pushed.version_info && found;
      }, 'the listener push to be acknowledged');
      expect(proxy).toMatchObject({ kind: 'waypoint', transport: 'sotw', proxy: { waypoint: 'default/waypoint' } });
      expect(typeOf(proxy, TypeUrl.listener)).toMatchObject({ wildcard: true, resourceNames: [], acks: 2, nacks: 0 });
      expect(typeOf(proxy, TypeUrl.routeConfiguration)).toMatchObject({
        wildcard: false,
        resourceNames: ['r1'],
        versionSent: routes.version_info,
        lastNack: { message: 'route r1: unknown cluster c1', nonce: routes.nonce },
        nacks: 1,
      });
      expect(typeOf(proxy, TypeUrl.routeConfiguration)?.versionAcked).toBeUndefined();

      // Only the requested route is pushed when it changes; the NACKed version is not resent meanwhile.
      source.set('r2', routesNamed('r2', 'c3'));
      source.set('r1', routesNamed('r1', 'c9'));
      const fixed = await waypoint.next(TypeUrl.routeConfiguration);
      expect(fixed.resources).toHaveLength(1);
      expect(fixed.resources[0]?.value.toString('latin1')).toContain('c9');
      expect(waypoint.received.filter((response) => response.type_url === TypeUrl.routeConfiguration)).toHaveLength(2);
    });
  });

  describe('robustness', () => {
    it('ends only the offending stream for garbage bytes or a missing node, and keeps serving others', { timeout: 15_000 }, async () => {
      const xds = await serve(meshSource());
      const raw = new grpc.Client(`127.0.0.1:${xds.port}`, grpc.credentials.createInsecure());
      cleanups.push(() => raw.close());
      const garbage = raw.makeBidiStreamRequest(
        '/envoy.service.discovery.v3.AggregatedDiscoveryService/DeltaAggregatedResources',
        (bytes: Buffer) => bytes,
        (bytes: Buffer) => bytes,
      );
      const garbageStream = new Stream<DeltaResponse>(garbage as unknown as grpc.ClientDuplexStream<object, DeltaResponse>);
      garbage.write(Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x12]));
      expect((await garbageStream.ended()).code).toBe(grpc.status.INTERNAL);

      const anonymous = openSotw(xds);
      anonymous.send({ type_url: TypeUrl.listener });
      const refused = await anonymous.ended();
      expect(refused.code).toBe(grpc.status.INVALID_ARGUMENT);
      expect(refused.details).toMatch(/node\.id/);

      const ztunnel = openDelta(xds);
      ztunnel.send({ node: ztunnelNode(), type_url: TypeUrl.address });
      expect(names(await ztunnel.next(TypeUrl.address))).toHaveLength(2);
      expect(xds.listProxies().map((proxy) => proxy.id)).toEqual([ZTUNNEL_ID]);
    });

    it('answers an unknown type URL with an empty response on both transports', { timeout: 15_000 }, async () => {
      const xds = await serve(meshSource());
      const unknownType = 'type.googleapis.com/example.NotAType';
      const delta = openDelta(xds);
      delta.send({ node: ztunnelNode(), type_url: unknownType });
      const deltaAnswer = await delta.next();
      expect(deltaAnswer).toMatchObject({ type_url: unknownType, resources: [], removed_resources: [] });
      const sotw = openSotw(xds);
      sotw.send({ node: { id: 'curious' }, type_url: unknownType, resource_names: ['x'] });
      const sotwAnswer = await sotw.next();
      expect(sotwAnswer).toMatchObject({ type_url: unknownType, resources: [] });
      // Both streams still work for real types afterwards.
      delta.send({ type_url: TypeUrl.address });
      expect(names(await delta.next(TypeUrl.address))).toHaveLength(2);
    });

    it('survives a burst of 200 NACKs without resending, while another proxy keeps getting updates', { timeout: 15_000 }, async () => {
      const source = meshSource();
      const xds = await serve(source);
      const angry = openDelta(xds);
      angry.send({ node: ztunnelNode('angry'), type_url: TypeUrl.address });
      const initial = await angry.next(TypeUrl.address);
      const calm = openDelta(xds);
      calm.send({ node: ztunnelNode('calm'), type_url: TypeUrl.address });
      const calmInitial = await calm.next(TypeUrl.address);
      calm.send({ type_url: TypeUrl.address, response_nonce: calmInitial.nonce });

      for (let i = 0; i < 200; i++) {
        // The first matches a real nonce; the rest are stale or made up.
        angry.send({
          type_url: TypeUrl.address,
          response_nonce: i === 0 ? initial.nonce : `bogus-${i}`,
          error_detail: { code: 13, message: `nope ${i}` },
        });
      }
      await until(() => typeOf(proxyWithId(xds, 'angry'), TypeUrl.address)?.nacks === 1, 'the real NACK to be recorded');

      source.set(reviewsV1.uid, packAddress({ workload: { ...reviewsV1, canonicalRevision: 'v3' } }));
      const calmUpdate = await calm.next(TypeUrl.address);
      expect(names(calmUpdate)).toEqual([reviewsV1.uid]);
      const angryUpdate = await angry.next(TypeUrl.address);
      expect(names(angryUpdate)).toEqual([reviewsV1.uid]);
      // The angry proxy got exactly two responses: the initial one and this push, nothing in reply to its NACKs.
      expect(angry.received).toHaveLength(2);
      expect(xds.metricsText()).toMatch(/^pilot_total_xds_rejects\{type="wds"\} 1$/m);
    });

    it('keeps a proxy that never reads from blocking others or buffering without bound, then drops it', { timeout: 20_000 }, async () => {
      const source = new MemoryResourceSource();
      // Each push carries a ~32 KiB workload, so the stuck stream's HTTP/2 window fills quickly.
      const bulky = (revision: number) =>
        packAddress({
          workload: { ...reviewsV1, canonicalRevision: `r${revision}`, authorizationPolicies: [`default/${'x'.repeat(32 * 1024)}`] },
        });
      source.set(reviewsV1.uid, bulky(0));
      const maxInFlightMessages = 4;
      const xds = await serve(source, { limits: { maxInFlightMessages, stallTimeoutMs: 1500 } });

      // A bare HTTP/2 client that sends one request and never reads: its flow-control window fills.
      const session = http2.connect(`http://127.0.0.1:${xds.port}`);
      session.on('error', () => {});
      cleanups.push(() => session.destroy());
      const stuckStream = session.request({
        ':method': 'POST',
        ':path': '/envoy.service.discovery.v3.AggregatedDiscoveryService/DeltaAggregatedResources',
        'content-type': 'application/grpc',
        te: 'trailers',
      });
      stuckStream.on('error', () => {});
      let stuckReset = false;
      stuckStream.on('close', () => {
        stuckReset = true;
      });
      const request = AdsClient.service.DeltaAggregatedResources?.requestSerialize({
        node: ztunnelNode('stuck'),
        type_url: TypeUrl.address,
      }) as Buffer;
      const frame = Buffer.alloc(5 + request.length);
      frame.writeUInt32BE(request.length, 1);
      request.copy(frame, 5);
      stuckStream.write(frame);
      stuckStream.pause();

      const healthy = openDelta(xds);
      healthy.send({ node: ztunnelNode('healthy'), type_url: TypeUrl.address });
      const first = await healthy.next(TypeUrl.address);
      healthy.send({ type_url: TypeUrl.address, response_nonce: first.nonce });
      await until(() => proxyWithId(xds, 'stuck')?.types.length === 1, 'the stuck proxy to subscribe');

      let maxWritesInFlight = 0;
      let maxTypesQueued = 0;
      for (let revision = 1; revision <= 500; revision++) {
        source.set(reviewsV1.uid, bulky(revision));
        xds.discovery.flushPendingChanges();
        const stuck = proxyWithId(xds, 'stuck');
        maxWritesInFlight = Math.max(maxWritesInFlight, stuck?.writesInFlight ?? 0);
        maxTypesQueued = Math.max(maxTypesQueued, stuck?.typesQueued ?? 0);
        if (revision % 50 === 0) await new Promise((resolve) => setImmediate(resolve));
      }
      expect(maxWritesInFlight).toBeLessThanOrEqual(maxInFlightMessages);
      expect(maxWritesInFlight).toBe(maxInFlightMessages); // it really was stuck
      expect(maxTypesQueued).toBeLessThanOrEqual(1);

      // The healthy proxy converges on the latest revision.
      const latestVersion = source.get(TypeUrl.address, reviewsV1.uid)?.version;
      await until(
        () => healthy.received.some((response) => response.resources.some((resource) => resource.version === latestVersion)),
        'the latest revision',
        5000,
      );

      // The stuck stream is reset after the stall timeout and forgotten.
      await until(() => proxyWithId(xds, 'stuck') === undefined, 'the stuck stream to be dropped', 5000);
      await until(() => stuckReset, 'the client to see its stream reset', 5000);
      expect(xds.metricsText()).toMatch(/^pilot_xds_write_timeout 1$/m);
      expect(proxyWithId(xds, 'healthy')).toBeDefined();
    });

    it('stays consistent while 50 clients connect and vanish', { timeout: 20_000 }, async () => {
      const source = meshSource();
      const xds = await serve(source);
      const steady = openDelta(xds);
      steady.send({ node: ztunnelNode('steady'), type_url: TypeUrl.address });
      await steady.next(TypeUrl.address);

      const transient: Array<Promise<void>> = [];
      for (let i = 0; i < 50; i++) {
        const via = new AdsClient(`127.0.0.1:${xds.port}`, grpc.credentials.createInsecure());
        const delta = i % 2 === 0;
        // biome-ignore lint/suspicious/noExplicitAny: dynamic client method
        const call = delta ? (via as any).DeltaAggregatedResources() : (via as any).StreamAggregatedResources();
        const stream = new Stream<DeltaResponse>(call);
        stream.send(
          delta
            ? { node: ztunnelNode(`churn-${i}`), type_url: TypeUrl.address }
            : { node: { id: `churn-${i}` }, type_url: TypeUrl.listener },
        );
        transient.push(
          (async () => {
            // Half vanish at once, half after their first response.
            if (i % 4 < 2) await stream.next(undefined, 5000);
            stream.close();
            via.close();
          })(),
        );
      }
      await Promise.all(transient);
      await until(() => xds.listProxies().length === 1, 'the churned streams to be forgotten', 5000);
      expect(xds.metricsText()).toMatch(/^pilot_xds 1$/m);

      source.set(reviewsV1.uid, packAddress({ workload: { ...reviewsV1, canonicalRevision: 'after-churn' } }));
      expect(names(await steady.next(TypeUrl.address))).toEqual([reviewsV1.uid]);
    });

    it('keeps proxies on what they have when the source fails, and pushes once it recovers', { timeout: 15_000 }, async () => {
      const inner = meshSource();
      let failing = false;
      const flaky: ResourceSource = {
        resources: (proxy, typeUrl): ReadonlyMap<string, VersionedResource> => {
          if (failing) throw new Error('registry unavailable');
          return inner.resources(proxy, typeUrl);
        },
        viewKey: () => 'shared',
        onChange: (listener: (change: ResourceChange) => void) => inner.onChange(listener),
      };
      const xds = await serve(flaky);
      const ztunnel = openDelta(xds);
      ztunnel.send({ node: ztunnelNode(), type_url: TypeUrl.address });
      await ztunnel.next(TypeUrl.address);

      failing = true;
      inner.delete(TypeUrl.address, reviewsV1.uid);
      await until(() => xds.discovery.pushVersion >= 2, 'the failed push');
      failing = false;
      inner.set('default/extra', packAddress({ workload: { ...reviewsV1, uid: 'default/extra' } }));
      const recovered = await ztunnel.next(TypeUrl.address);
      expect(names(recovered)).toEqual(['default/extra']);
      expect(recovered.removed_resources).toEqual([reviewsV1.uid]);
      expect(ztunnel.received).toHaveLength(2);
    });
  });
});
