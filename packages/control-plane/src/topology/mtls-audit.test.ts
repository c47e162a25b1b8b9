import type { KubeObject } from '@ambit/shared';
import { describe, expect, it } from 'vitest';
import type { IssuedCertificateRecord } from '../ca/ledger';
import { namespace } from '../registry/test-fixtures';
import { buildMtlsAudit, mtlsAuditToCsv, mtlsAuditToJson, rotationHealth } from './mtls-audit';
import {
  bookinfoSnapshot,
  DETAILS,
  PRODUCTPAGE,
  peer,
  principal,
  RATINGS,
  REVIEWS_V1,
  REVIEWS_V2,
  requests,
  tcp,
  topologyTelemetry,
  WAYPOINT,
  waypointHop,
} from './test-fixtures';

function peerAuthentication(ns: string, name: string, mode: string, extra: Record<string, unknown> = {}): KubeObject {
  return {
    apiVersion: 'security.istio.io/v1',
    kind: 'PeerAuthentication',
    metadata: { name, namespace: ns, creationTimestamp: '2026-01-01T00:00:00Z' },
    spec: { mtls: { mode }, ...extra },
  };
}

const MESH_STRICT = peerAuthentication('istio-system', 'default', 'STRICT');

/** Bookinfo behind its waypoint, every hop mutual TLS. */
const healthyTraffic = topologyTelemetry({
  requests: [
    requests({ from: PRODUCTPAGE, service: 'details', to: DETAILS, rate: 5 }),
    requests({ from: PRODUCTPAGE, service: 'reviews', to: REVIEWS_V1, rate: 3 }),
    requests({ from: REVIEWS_V2, service: 'ratings', to: RATINGS, rate: 2 }),
  ],
  tcp: [
    tcp({ reporter: 'source', from: PRODUCTPAGE, service: 'details', to: WAYPOINT, rate: 500 }),
    tcp({ reporter: 'destination', from: WAYPOINT, service: 'details', to: DETAILS, rate: 500 }),
  ],
});

describe('buildMtlsAudit', () => {
  it('lists every edge as mutual TLS with the principals on both sides, and finds nothing under a STRICT mesh', () => {
    const audit = buildMtlsAudit(healthyTraffic, bookinfoSnapshot({ waypoint: true, extra: [MESH_STRICT] }));
    expect(audit.edges.map((e) => [e.id, e.policy, e.sourcePrincipals, e.destinationPrincipals, e.destinationMode, e.waypoint])).toEqual([
      [
        'wl:demo/productpage-v1->wl:demo/details-v1',
        'mutual_tls',
        [principal(PRODUCTPAGE)],
        [principal(DETAILS)],
        'STRICT',
        'demo/waypoint',
      ],
      [
        'wl:demo/productpage-v1->wl:demo/reviews-v1',
        'mutual_tls',
        [principal(PRODUCTPAGE)],
        [principal(REVIEWS_V1)],
        'STRICT',
        'demo/waypoint',
      ],
      ['wl:demo/reviews-v2->wl:demo/ratings-v1', 'mutual_tls', [principal(REVIEWS_V2)], [principal(RATINGS)], 'STRICT', 'demo/waypoint'],
    ]);
    expect(audit.findings).toEqual([]);
    expect(audit.mesh).toMatchObject({
      mode: 'STRICT',
      policy: 'istio-system/default',
      status: 'STRICT',
      workloads: 6,
      strict: 6,
      edges: 3,
      mtlsEdges: 3,
      plaintextEdges: 0,
    });
    expect(audit.namespaces.find((n) => n.name === 'demo')).toMatchObject({ ambient: true, mode: 'STRICT', strict: 6, status: 'STRICT' });
    expect(audit.workloads.find((w) => w.name === 'details-v1')).toEqual({
      namespace: 'demo',
      name: 'details-v1',
      pods: 1,
      identities: [principal(DETAILS)],
      inMesh: true,
      mode: 'STRICT',
      policy: 'istio-system/default',
      plaintextObserved: false,
      status: 'STRICT',
    });
    // The waypoint's own pods are infrastructure, not audited workloads.
    expect(audit.workloads.some((w) => w.name === 'waypoint')).toBe(false);
  });

  it('audits the waypoint → workload hop as part of the client’s edge, not as an unknown caller', () => {
    const telemetry = topologyTelemetry({
      requests: [requests({ from: PRODUCTPAGE, service: 'details', to: DETAILS, rate: 5 })],
      tcp: [tcp({ reporter: 'source', from: PRODUCTPAGE, service: 'details', to: WAYPOINT, rate: 500 }), waypointHop(DETAILS, 500)],
    });
    const audit = buildMtlsAudit(telemetry, bookinfoSnapshot({ waypoint: true, extra: [MESH_STRICT] }));
    expect(audit.edges.map((e) => [e.id, e.policy])).toEqual([['wl:demo/productpage-v1->wl:demo/details-v1', 'mutual_tls']]);
    expect(audit.findings).toEqual([]);
  });

  it('finds plaintext into a mesh workload, and a client outside the mesh', () => {
    const telemetry = topologyTelemetry({ tcp: [tcp({ reporter: 'destination', to: DETAILS, rate: 100, security: 'none' })] });
    const audit = buildMtlsAudit(telemetry, bookinfoSnapshot({ extra: [MESH_STRICT] }));
    expect(audit.findings).toEqual([
      {
        code: 'PlaintextIntoMesh',
        severity: 'error',
        message: 'plaintext traffic from an unknown client into mesh workload demo/details-v1, although its PeerAuthentication is STRICT',
        namespace: 'demo',
        workload: 'details-v1',
        edge: 'unknown->wl:demo/details-v1',
      },
      {
        code: 'OutsideMeshClient',
        severity: 'warning',
        message: 'an unknown client, outside the mesh, talks to mesh workload demo/details-v1',
        namespace: 'demo',
        workload: 'details-v1',
        edge: 'unknown->wl:demo/details-v1',
      },
    ]);
    expect(audit.workloads.find((w) => w.name === 'details-v1')).toMatchObject({
      mode: 'STRICT',
      plaintextObserved: true,
      status: 'PLAINTEXT_OBSERVED',
    });
    expect(audit.mesh).toMatchObject({ plaintextObserved: true, status: 'PLAINTEXT_OBSERVED', plaintextEdges: 1 });
  });

  it('finds a workload outside the mesh talking to it', () => {
    const legacy: KubeObject[] = [
      namespace('legacy'),
      {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'batch', namespace: 'legacy', labels: { app: 'batch' } },
        spec: { serviceAccountName: 'batch', nodeName: 'node-1', containers: [{ name: 'batch' }] },
        status: { phase: 'Running', podIP: '127.11.2.1', containerStatuses: [{ name: 'batch', ready: true }] },
      },
    ];
    const batch = peer('batch', 'batch', 'latest', 'batch', 'legacy');
    const telemetry = topologyTelemetry({ tcp: [tcp({ reporter: 'destination', from: batch, to: RATINGS, rate: 10, security: 'none' })] });
    const audit = buildMtlsAudit(telemetry, bookinfoSnapshot({ extra: [MESH_STRICT, ...legacy] }));
    expect(audit.findings.map((f) => [f.code, f.message])).toEqual([
      [
        'PlaintextIntoMesh',
        'plaintext traffic from workload legacy/batch into mesh workload demo/ratings-v1, although its PeerAuthentication is STRICT',
      ],
      ['OutsideMeshClient', 'workload legacy/batch, outside the mesh, talks to mesh workload demo/ratings-v1'],
    ]);
    expect(audit.workloads.find((w) => w.name === 'batch')).toMatchObject({ inMesh: false, status: 'OUTSIDE_MESH' });
    expect(audit.namespaces.find((n) => n.name === 'legacy')).toMatchObject({ ambient: false, outsideMesh: 1, status: 'OUTSIDE_MESH' });
    expect(audit.mesh.outsideMesh).toBe(1);
  });

  it('finds PERMISSIVE where STRICT is expected: a whole namespace, or one workload in a STRICT namespace', () => {
    const permissive = buildMtlsAudit(healthyTraffic, bookinfoSnapshot({ waypoint: true }));
    expect(permissive.findings).toEqual([
      {
        code: 'PermissiveWhereStrictExpected',
        severity: 'warning',
        message: 'namespace demo is PERMISSIVE (no PeerAuthentication sets STRICT): its 6 mesh workload(s) accept plaintext',
        namespace: 'demo',
      },
    ]);
    expect(permissive.mesh).toMatchObject({ mode: 'PERMISSIVE', permissive: 6, status: 'PERMISSIVE' });
    expect(buildMtlsAudit(healthyTraffic, bookinfoSnapshot({ waypoint: true }), { expectStrict: false }).findings).toEqual([]);
    expect(buildMtlsAudit(healthyTraffic, bookinfoSnapshot({ waypoint: true }), { expectStrict: ['other'] }).findings).toEqual([]);

    const exception = peerAuthentication('demo', 'ratings-legacy-clients', 'PERMISSIVE', { selector: { matchLabels: { app: 'ratings' } } });
    const audit = buildMtlsAudit(
      healthyTraffic,
      bookinfoSnapshot({ waypoint: true, extra: [peerAuthentication('demo', 'default', 'STRICT'), exception] }),
    );
    expect(audit.findings).toEqual([
      {
        code: 'PermissiveWhereStrictExpected',
        severity: 'warning',
        message: 'workload demo/ratings-v1 is PERMISSIVE (demo/ratings-legacy-clients) in STRICT namespace demo',
        namespace: 'demo',
        workload: 'ratings-v1',
      },
    ]);
    expect(audit.namespaces.find((n) => n.name === 'demo')).toMatchObject({
      mode: 'STRICT',
      policy: 'demo/default',
      strict: 5,
      permissive: 1,
    });
  });

  it('reports port-level exceptions and treats DISABLE as PERMISSIVE', () => {
    const ports = peerAuthentication('demo', 'details-ports', 'STRICT', {
      selector: { matchLabels: { app: 'details' } },
      portLevelMtls: { '9080': { mode: 'DISABLE' } },
    });
    const audit = buildMtlsAudit(healthyTraffic, bookinfoSnapshot({ waypoint: true, extra: [ports] }));
    expect(audit.workloads.find((w) => w.name === 'details-v1')).toMatchObject({
      mode: 'STRICT',
      policy: 'demo/details-ports',
      portModes: { '9080': 'PERMISSIVE' },
    });
  });
});

describe('certificate inventory from the CA ledger', () => {
  const NOW = Date.parse('2026-11-27T12:00:00Z');
  const HOUR = 3600_000;
  const snapshot = bookinfoSnapshot({ waypoint: true, extra: [MESH_STRICT] });
  const pods = [...snapshot.workloads.values()];
  const podOf = (p: typeof PRODUCTPAGE) => pods.find((pod) => pod.workloadName === p.workload) as (typeof pods)[number];
  /** A 24 h certificate issued `ageHours` before NOW to the pod's identity on its node. */
  const issued = (p: typeof PRODUCTPAGE, ageHours: number, serial: string): IssuedCertificateRecord => ({
    identity: principal(p),
    serial,
    issuer: 'O=cluster.local',
    node: podOf(p).node as string,
    notBefore: new Date(NOW - ageHours * HOUR).toISOString(),
    notAfter: new Date(NOW - ageHours * HOUR + 24 * HOUR).toISOString(),
    issuedAt: new Date(NOW - ageHours * HOUR).toISOString(),
  });
  const ledger = [
    issued(PRODUCTPAGE, 30, 'aa01'),
    issued(PRODUCTPAGE, 1, 'aa02'),
    issued(DETAILS, 20, 'bb01'),
    issued(REVIEWS_V1, 13, 'cc01'),
    issued(REVIEWS_V2, 25, 'dd01'),
  ];
  const audit = buildMtlsAudit(healthyTraffic, snapshot, { certificates: ledger, now: NOW });
  const row = (p: typeof PRODUCTPAGE) => audit.certificates.find((c) => c.workload === p.workload);

  it('lists every workload with its newest certificate, time to expiry and rotation health', () => {
    expect(audit.certificates.map((c) => c.workload).sort()).toEqual(audit.workloads.map((w) => w.name).sort());
    expect(row(PRODUCTPAGE)).toMatchObject({
      namespace: 'demo',
      identity: principal(PRODUCTPAGE),
      node: podOf(PRODUCTPAGE).node,
      pods: [podOf(PRODUCTPAGE).name],
      serial: 'aa02',
      issuer: 'O=cluster.local',
      expiresInSeconds: 23 * 3600,
      rotation: 'healthy',
      issuedCount: 2,
    });
    expect(row(REVIEWS_V1)?.rotation).toBe('due');
    expect(row(DETAILS)?.rotation).toBe('overdue');
    expect(row(REVIEWS_V2)).toMatchObject({ rotation: 'expired', expiresInSeconds: -3600 });
    expect(row(RATINGS)).toMatchObject({ rotation: 'never-issued', issuedCount: 0 });
    expect(row(RATINGS)?.serial).toBeUndefined();
  });

  it('finds certificates near expiry, expired, and never issued, naming the workload', () => {
    const certificateFindings = audit.findings.filter((f) => f.code.startsWith('Certificate'));
    expect(certificateFindings.map((f) => [f.code, f.severity, f.workload])).toEqual([
      ['CertificateExpired', 'error', 'reviews-v2'],
      ['CertificateNearExpiry', 'warning', 'details-v1'],
      ['CertificateNeverIssued', 'warning', 'ratings-v1'],
    ]);
    expect(certificateFindings[1]?.message).toMatch(/details-v1 .*serial bb01.* in 4 h 0 min, and is overdue for renewal/);
  });

  it('judges rotation against half and three quarters of the lifetime', () => {
    const cert = { notBefore: '2026-11-27T00:00:00Z', notAfter: '2026-11-27T04:00:00Z' };
    expect(rotationHealth(cert, Date.parse('2026-11-27T01:59:59Z'))).toBe('healthy');
    expect(rotationHealth(cert, Date.parse('2026-11-27T02:00:00Z'))).toBe('due');
    expect(rotationHealth(cert, Date.parse('2026-11-27T03:00:00Z'))).toBe('overdue');
    expect(rotationHealth(cert, Date.parse('2026-11-27T04:00:00Z'))).toBe('expired');
    expect(rotationHealth(undefined, 0)).toBe('never-issued');
  });

  it('exports the inventory as its own CSV table and inside the JSON report', () => {
    const lines = mtlsAuditToCsv(audit, 'certificates').split('\r\n');
    expect(lines[0]).toBe(
      'observed_at,namespace,workload,pods,node,identity,in_mesh,serial,issuer,not_before,not_after,expires_in_seconds,rotation,issued_count',
    );
    expect(lines).toHaveLength(audit.certificates.length + 2);
    expect(lines.find((l) => l.includes(',productpage-v1,'))).toContain(`,${principal(PRODUCTPAGE)},true,aa02,O=cluster.local,`);
    expect(JSON.parse(mtlsAuditToJson(audit)).certificates).toEqual(audit.certificates);
  });

  it('has no inventory and no certificate findings without the ledger', () => {
    const without = buildMtlsAudit(healthyTraffic, snapshot);
    expect(without.certificates).toEqual([]);
    expect(without.findings).toEqual([]);
  });
});

describe('mTLS audit exports', () => {
  const audit = buildMtlsAudit(healthyTraffic, bookinfoSnapshot({ waypoint: true, extra: [MESH_STRICT] }));

  it('writes the edges as CSV an auditor can open', () => {
    const csv = mtlsAuditToCsv(audit);
    const lines = csv.split('\r\n');
    expect(lines[0]).toBe(
      'observed_at,window_seconds,source_kind,source_namespace,source,source_principals,destination_kind,destination_namespace,destination,destination_principals,security_policy,mtls_share,destination_mode,protocol,requests_per_second,bytes_per_second,waypoint,reporters',
    );
    expect(lines[1]).toBe(
      `2023-11-14T22:13:20.000Z,60,workload,demo,productpage-v1,${principal(PRODUCTPAGE)},workload,demo,details-v1,${principal(DETAILS)},mutual_tls,1,STRICT,http,5,750,demo/waypoint,destination source waypoint`,
    );
    expect(lines).toHaveLength(audit.edges.length + 2); // header, rows, and the final CRLF
    expect(mtlsAuditToCsv(audit, 'workloads').split('\r\n')[0]).toBe(
      'observed_at,namespace,workload,pods,identities,in_mesh,mode,policy,port_modes,plaintext_observed,status',
    );
    expect(mtlsAuditToCsv(audit, 'namespaces')).toContain(',demo,true,STRICT,istio-system/default,6,6,0,0,false,STRICT\r\n');
    expect(mtlsAuditToCsv(audit, 'findings')).toBe('observed_at,severity,code,namespace,workload,edge,message\r\n');
  });

  it('writes the whole audit as JSON that reads back the same', () => {
    const json = JSON.parse(mtlsAuditToJson(audit));
    expect(json).toMatchObject({ kind: 'AmbitMtlsAudit', version: 1, observedAt: '2023-11-14T22:13:20.000Z' });
    expect(json.edges).toEqual(audit.edges);
    expect(json.workloads).toEqual(audit.workloads);
    expect(json.mesh).toEqual(audit.mesh);
  });
});
