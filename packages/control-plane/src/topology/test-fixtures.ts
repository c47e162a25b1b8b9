/**
 * Test fixtures for the topology and the mTLS audit: the Bookinfo mesh (optionally behind a
 * namespace waypoint), and telemetry samples labelled as the topology's queries return them —
 * Istio's label names, `unknown` where a proxy could not name a peer.
 */
import type { KubeObject } from '@ambit/shared';
import { buildSnapshot, type MeshSnapshot } from '../registry/index';
import { bookinfoObjects, namespace } from '../registry/test-fixtures';
import type { TargetStatus, VectorSample } from '../telemetry/index';
import type { TopologyTelemetry } from './telemetry';

export interface Peer {
  namespace: string;
  workload: string;
  app: string;
  version: string;
  serviceAccount: string;
}

export const peer = (workload: string, app: string, version: string, serviceAccount: string, ns = 'demo'): Peer => ({
  namespace: ns,
  workload,
  app,
  version,
  serviceAccount,
});

export const PRODUCTPAGE = peer('productpage-v1', 'productpage', 'v1', 'bookinfo-productpage');
export const DETAILS = peer('details-v1', 'details', 'v1', 'bookinfo-details');
export const REVIEWS_V1 = peer('reviews-v1', 'reviews', 'v1', 'bookinfo-reviews');
export const REVIEWS_V2 = peer('reviews-v2', 'reviews', 'v2', 'bookinfo-reviews');
export const RATINGS = peer('ratings-v1', 'ratings', 'v1', 'bookinfo-ratings');
export const WAYPOINT = peer('waypoint', 'waypoint', 'latest', 'waypoint');

export const principal = (p: Peer): string => `spiffe://cluster.local/ns/${p.namespace}/sa/${p.serviceAccount}`;
export const hostname = (service: string, ns = 'demo'): string => `${service}.${ns}.svc.cluster.local`;

function waypointObjects(): KubeObject[] {
  const label = { 'gateway.networking.k8s.io/gateway-name': 'waypoint' };
  return [
    {
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'Gateway',
      metadata: { name: 'waypoint', namespace: 'demo' },
      spec: { gatewayClassName: 'istio-waypoint', listeners: [{ name: 'mesh', port: 15008, protocol: 'HBONE' }] },
    },
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'waypoint', namespace: 'demo', labels: label },
      spec: { selector: label, ports: [{ name: 'mesh', port: 15008 }] },
    },
    {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name: 'waypoint-7c9d-0',
        namespace: 'demo',
        labels: label,
        ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'waypoint', uid: 'w', controller: true }],
      },
      spec: { serviceAccountName: 'waypoint', nodeName: 'node-1', containers: [{ name: 'waypoint' }] },
      status: { phase: 'Running', podIP: '127.11.1.50', containerStatuses: [{ name: 'waypoint', ready: true }] },
    },
  ];
}

export interface BookinfoOptions {
  /** Serve the namespace through the `demo/waypoint` waypoint. */
  waypoint?: boolean;
  extra?: readonly KubeObject[];
}

/** The Bookinfo mesh in the ambient namespace `demo`, with a waypoint if asked. */
export function bookinfoSnapshot(options: BookinfoOptions = {}): MeshSnapshot {
  return buildSnapshot(bookinfoMeshObjects(options));
}

/** The objects of `bookinfoSnapshot`, for tests that put them in a store. */
export function bookinfoMeshObjects(options: BookinfoOptions = {}): KubeObject[] {
  let objects = bookinfoObjects();
  if (options.waypoint) {
    objects = objects.map((o) =>
      o.kind === 'Namespace' ? namespace('demo', { 'istio.io/dataplane-mode': 'ambient', 'istio.io/use-waypoint': 'waypoint' }) : o,
    );
    objects.push(...waypointObjects());
  }
  return [...objects, ...(options.extra ?? [])];
}

function peerLabels(side: 'source' | 'destination', p: Peer | undefined): Record<string, string> {
  return {
    [`${side}_workload`]: p?.workload ?? 'unknown',
    [`${side}_workload_namespace`]: p?.namespace ?? 'unknown',
    [`${side}_canonical_service`]: p?.app ?? 'unknown',
    [`${side}_canonical_revision`]: p?.version ?? 'unknown',
  };
}

function serviceLabels(service: string | undefined, ns = 'demo'): Record<string, string> {
  return service
    ? { destination_service: hostname(service, ns), destination_service_namespace: ns, destination_service_name: service }
    : { destination_service: 'unknown', destination_service_namespace: 'unknown', destination_service_name: 'unknown' };
}

export interface RequestSample {
  from?: Peer;
  service?: string;
  to?: Peer;
  rate: number;
  code?: string;
  protocol?: 'http' | 'grpc';
  grpcStatus?: string;
  flags?: string;
  security?: 'mutual_tls' | 'none';
}

/** A waypoint's `istio_requests_total` rate, labelled as the requests query groups it. */
export function requests(s: RequestSample): VectorSample {
  return {
    labels: {
      ...peerLabels('source', s.from),
      ...serviceLabels(s.service),
      ...peerLabels('destination', s.to),
      source_principal: s.from ? principal(s.from) : 'unknown',
      destination_principal: s.to ? principal(s.to) : 'unknown',
      connection_security_policy: s.security ?? 'mutual_tls',
      request_protocol: s.protocol ?? 'http',
      response_code: s.code ?? '200',
      grpc_response_status: s.grpcStatus ?? '',
      response_flags: s.flags ?? '-',
    },
    value: s.rate,
  };
}

/** Duration bucket rates (cumulative, by `le`), as the durationBuckets query groups them. */
export function durationBuckets(s: { from?: Peer; service?: string; to?: Peer }, cumulative: Record<string, number>): VectorSample[] {
  return Object.entries(cumulative).map(([le, value]) => ({
    labels: { le, ...peerLabels('source', s.from), ...serviceLabels(s.service), ...peerLabels('destination', s.to) },
    value,
  }));
}

export interface TcpSample {
  reporter: 'source' | 'destination';
  from?: Peer;
  /** A source identity known without its workload (a destination ztunnel's view of a client it could not place). */
  fromPrincipal?: string;
  service?: string;
  to?: Peer;
  rate: number;
  security?: 'mutual_tls' | 'none';
}

/** A ztunnel TCP counter's rate, labelled as the tcp queries group it. */
export function tcp(s: TcpSample): VectorSample {
  const security = s.security ?? 'mutual_tls';
  return {
    labels: {
      reporter: s.reporter,
      ...peerLabels('source', s.from),
      ...serviceLabels(s.service),
      ...peerLabels('destination', s.to),
      source_principal: security === 'none' ? 'unknown' : (s.fromPrincipal ?? (s.from ? principal(s.from) : 'unknown')),
      destination_principal: s.to ? principal(s.to) : 'unknown',
      connection_security_policy: security,
    },
    value: s.rate,
  };
}

/**
 * The waypoint → workload hop as the destination ztunnel labels it (dataplane peer-labels.ts): the
 * waypoint's tunnel carries no `forwarded`, so the peer is known by identity only — `source_*`
 * unknown but the SPIFFE namespace — and the service is unknown. `sourceWorkload`: a ztunnel that
 * could name the waypoint's deployment.
 */
export function waypointHop(to: Peer, rate: number, sourceWorkload = 'unknown', sourcePrincipal = principal(WAYPOINT)): VectorSample {
  const unnamed = sourceWorkload === 'unknown';
  return {
    labels: {
      reporter: 'destination',
      source_workload: sourceWorkload,
      source_workload_namespace: 'demo',
      source_canonical_service: unnamed ? 'unknown' : WAYPOINT.app,
      source_canonical_revision: unnamed ? 'unknown' : WAYPOINT.version,
      ...serviceLabels(undefined),
      ...peerLabels('destination', to),
      source_principal: sourcePrincipal,
      destination_principal: principal(to),
      connection_security_policy: 'mutual_tls',
    },
    value: rate,
  };
}

export interface TelemetryParts {
  requests?: VectorSample[];
  durationBuckets?: VectorSample[];
  /** Bytes per second both ways are given as `sent`; `received` is `sent / 2`, connections `sent / 1000`. */
  tcp?: VectorSample[];
  targets?: TargetStatus[];
}

export const AT = 1_700_000_000_000;

export function topologyTelemetry(parts: TelemetryParts): TopologyTelemetry {
  const scaled = (factor: number) => (parts.tcp ?? []).map((s) => ({ labels: s.labels, value: s.value * factor }));
  return {
    at: AT,
    windowSeconds: 60,
    requests: parts.requests ?? [],
    durationBuckets: parts.durationBuckets ?? [],
    tcpSent: parts.tcp ?? [],
    tcpReceived: scaled(0.5),
    tcpOpened: scaled(0.001),
    targets: parts.targets ?? [],
  };
}

export interface SyntheticTopologySize {
  namespaces: number;
  servicesPerNamespace: number;
  /** Services each workload calls (spread over all namespaces). */
  callsPerWorkload: number;
}

/**
 * A mesh for scale tests and the benchmark: every namespace ambient and behind its own waypoint,
 * one Deployment per service, each workload calling `callsPerWorkload` services through the
 * waypoint. With 10 × 50 services and 5 calls: 500 workloads + 500 services = 1,000 nodes, and
 * 2,500 client → service + 500 service → workload = 3,000 edges; the telemetry has the requests
 * (3 response codes), duration buckets (20) and both ztunnel hops of every call.
 */
export function syntheticTopology(size: SyntheticTopologySize): { snapshot: MeshSnapshot; telemetry: TopologyTelemetry } {
  const objects: KubeObject[] = [];
  const peers: Peer[] = [];
  for (let n = 0; n < size.namespaces; n++) {
    const ns = `ns-${n}`;
    objects.push(namespace(ns, { 'istio.io/dataplane-mode': 'ambient', 'istio.io/use-waypoint': 'waypoint' }));
    objects.push(
      ...waypointObjects().map((o) => ({
        ...o,
        metadata: { ...o.metadata, namespace: ns, name: o.kind === 'Pod' ? `waypoint-${n}` : o.metadata.name },
        ...(o.kind === 'Pod' && {
          status: { phase: 'Running', podIP: `10.200.${n}.1`, containerStatuses: [{ name: 'waypoint', ready: true }] },
        }),
      })),
    );
    for (let s = 0; s < size.servicesPerNamespace; s++) {
      const app = `svc-${s}`;
      objects.push({
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: app, namespace: ns },
        spec: { selector: { app }, ports: [{ name: 'http', port: 80, targetPort: 8080 }] },
      });
      const index = n * size.servicesPerNamespace + s;
      objects.push({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: {
          name: `${app}-v1-0`,
          namespace: ns,
          labels: { app, version: 'v1' },
          ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: `${app}-v1`, uid: app, controller: true }],
        },
        spec: {
          nodeName: `node-${(index % 4) + 1}`,
          serviceAccountName: app,
          containers: [{ name: 'app', ports: [{ containerPort: 8080 }] }],
        },
        status: { phase: 'Running', podIP: `10.${index >> 8}.${index & 255}.2`, containerStatuses: [{ name: 'app', ready: true }] },
      });
      peers.push(peer(`${app}-v1`, app, 'v1', app, ns));
    }
  }
  const requestSamples: VectorSample[] = [];
  const bucketSamples: VectorSample[] = [];
  const tcpSamples: VectorSample[] = [];
  const bounds = [
    '0.5',
    '1',
    '5',
    '10',
    '25',
    '50',
    '100',
    '250',
    '500',
    '1000',
    '2500',
    '5000',
    '10000',
    '30000',
    '60000',
    '300000',
    '600000',
    '1800000',
    '3600000',
    '+Inf',
  ];
  const served = new Set<Peer>();
  peers.forEach((client, i) => {
    for (let c = 1; c <= size.callsPerWorkload; c++) {
      const backend = peers[(i * 7 + c * 13) % peers.length] as Peer;
      const call = { from: client, service: backend.app, to: backend };
      const withNs = (s: VectorSample): VectorSample => ({
        labels: { ...s.labels, ...serviceLabels(backend.app, backend.namespace) },
        value: s.value,
      });
      requestSamples.push(withNs(requests({ ...call, rate: 20 })), withNs(requests({ ...call, rate: 0.2, code: '404' })));
      requestSamples.push(withNs(requests({ ...call, rate: 0.05, code: '503', flags: 'UF' })));
      bucketSamples.push(...durationBuckets(call, Object.fromEntries(bounds.map((le, b) => [le, Math.min(20.25, b * 2.5)]))).map(withNs));
      const toWaypoint = tcp({
        reporter: 'source',
        from: client,
        service: backend.app,
        to: { ...WAYPOINT, namespace: backend.namespace },
        rate: 4000,
      });
      tcpSamples.push(withNs(toWaypoint));
      if (!served.has(backend)) {
        served.add(backend);
        const fromWaypoint = tcp({
          reporter: 'destination',
          from: { ...WAYPOINT, namespace: backend.namespace },
          service: backend.app,
          to: backend,
          rate: 4000,
        });
        tcpSamples.push(withNs(fromWaypoint));
      }
    }
  });
  return {
    snapshot: buildSnapshot(objects),
    telemetry: { ...topologyTelemetry({ tcp: tcpSamples }), requests: requestSamples, durationBuckets: bucketSamples },
  };
}
