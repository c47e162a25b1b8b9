// Which waypoint serves a service's or a workload's traffic, with Istio's precedence rules.
import type { KubeObject } from '@ambit/shared';
import { describe, expect, it } from 'vitest';
import {
  buildSnapshot,
  type NamespaceInfo,
  resolveWaypointForService,
  resolveWaypointForWorkload,
  type WaypointInfo,
  type WaypointTrafficType,
} from '../src/registry/index';
import { namespace } from '../src/registry/test-fixtures';

function waypoint(ns: string, name: string, trafficType: WaypointTrafficType, withAddress = true): WaypointInfo {
  return {
    key: `${ns}/${name}`,
    namespace: ns,
    name,
    gatewayClassName: 'istio-waypoint',
    trafficType,
    listeners: [{ name: 'mesh', port: 15008, protocol: 'HBONE' }],
    pods: [],
    ...(withAddress && { address: { hostname: { namespace: ns, hostname: `${name}.${ns}.svc.cluster.local` }, hboneMtlsPort: 15008 } }),
  };
}

const waypoints = new Map(
  [
    waypoint('demo', 'ns-waypoint', 'service'),
    waypoint('demo', 'other', 'service'),
    waypoint('demo', 'for-workloads', 'workload'),
    waypoint('demo', 'for-all', 'all'),
    waypoint('demo', 'for-none', 'none'),
    waypoint('demo', 'unready', 'all', false),
    waypoint('shared', 'central', 'all'),
  ].map((w) => [w.key, w]),
);

function ns(labels: Record<string, string>): NamespaceInfo {
  return { name: 'demo', labels, ambient: true };
}

const enrolled = ns({ 'istio.io/use-waypoint': 'ns-waypoint' });

describe('resolveWaypointForService', () => {
  it('uses the namespace’s waypoint when the service names none', () => {
    expect(resolveWaypointForService({ namespace: 'demo', labels: {} }, enrolled, waypoints)).toEqual({
      binding: {
        key: 'demo/ns-waypoint',
        namespace: 'demo',
        name: 'ns-waypoint',
        source: 'namespace',
        address: { hostname: { namespace: 'demo', hostname: 'ns-waypoint.demo.svc.cluster.local' }, hboneMtlsPort: 15008 },
      },
    });
  });

  it('prefers the service’s own label over the namespace’s', () => {
    const resolution = resolveWaypointForService({ namespace: 'demo', labels: { 'istio.io/use-waypoint': 'other' } }, enrolled, waypoints);
    expect(resolution.binding).toMatchObject({ key: 'demo/other', source: 'self' });
  });

  it('opts a service out with `none`, whatever its namespace says', () => {
    expect(resolveWaypointForService({ namespace: 'demo', labels: { 'istio.io/use-waypoint': 'none' } }, enrolled, waypoints)).toEqual({});
  });

  it('finds a waypoint in another namespace with use-waypoint-namespace', () => {
    const labels = { 'istio.io/use-waypoint': 'central', 'istio.io/use-waypoint-namespace': 'shared' };
    expect(resolveWaypointForService({ namespace: 'demo', labels }, enrolled, waypoints).binding?.key).toBe('shared/central');
    const nsLabels = ns({ 'istio.io/use-waypoint': 'central', 'istio.io/use-waypoint-namespace': 'shared' });
    expect(resolveWaypointForService({ namespace: 'demo', labels: {} }, nsLabels, waypoints).binding).toMatchObject({
      key: 'shared/central',
      source: 'namespace',
    });
  });

  it('refuses a waypoint that does not serve service traffic, and says why', () => {
    for (const name of ['for-workloads', 'for-none']) {
      const resolution = resolveWaypointForService({ namespace: 'demo', labels: { 'istio.io/use-waypoint': name } }, enrolled, waypoints);
      expect(resolution.binding).toBeUndefined();
      expect(resolution.problem).toContain('not service traffic');
    }
    expect(
      resolveWaypointForService({ namespace: 'demo', labels: { 'istio.io/use-waypoint': 'for-all' } }, enrolled, waypoints).binding?.key,
    ).toBe('demo/for-all');
  });

  it('reports a missing waypoint or one without an address instead of binding to it', () => {
    expect(resolveWaypointForService({ namespace: 'demo', labels: { 'istio.io/use-waypoint': 'ghost' } }, enrolled, waypoints)).toEqual({
      problem: 'waypoint demo/ghost does not exist',
    });
    expect(
      resolveWaypointForService({ namespace: 'demo', labels: { 'istio.io/use-waypoint': 'unready' } }, enrolled, waypoints).problem,
    ).toContain('has no address');
  });

  it('never sends a waypoint’s own service through a waypoint', () => {
    const labels = { 'gateway.networking.k8s.io/gateway-name': 'ns-waypoint' };
    expect(resolveWaypointForService({ namespace: 'demo', labels }, enrolled, waypoints)).toEqual({});
  });
});

describe('resolveWaypointForWorkload', () => {
  it('skips a namespace waypoint that serves only services, without complaint', () => {
    expect(resolveWaypointForWorkload({ namespace: 'demo', labels: {} }, enrolled, waypoints)).toEqual({});
  });

  it('uses the namespace’s waypoint when it serves workload traffic', () => {
    const resolution = resolveWaypointForWorkload({ namespace: 'demo', labels: {} }, ns({ 'istio.io/use-waypoint': 'for-all' }), waypoints);
    expect(resolution.binding).toMatchObject({ key: 'demo/for-all', source: 'namespace' });
  });

  it('prefers the pod’s label over the namespace’s, including `none`', () => {
    const nsAll = ns({ 'istio.io/use-waypoint': 'for-all' });
    const pod = resolveWaypointForWorkload({ namespace: 'demo', labels: { 'istio.io/use-waypoint': 'for-workloads' } }, nsAll, waypoints);
    expect(pod.binding).toMatchObject({ key: 'demo/for-workloads', source: 'self' });
    expect(resolveWaypointForWorkload({ namespace: 'demo', labels: { 'istio.io/use-waypoint': 'none' } }, nsAll, waypoints)).toEqual({});
  });

  it('does not fall back to the namespace when the pod’s own waypoint refuses workload traffic', () => {
    const nsAll = ns({ 'istio.io/use-waypoint': 'for-all' });
    const resolution = resolveWaypointForWorkload({ namespace: 'demo', labels: { 'istio.io/use-waypoint': 'other' } }, nsAll, waypoints);
    expect(resolution).toEqual({
      problem: 'waypoint demo/other serves service traffic (istio.io/waypoint-for), not workload traffic',
    });
  });
});

describe('waypoints in a snapshot', () => {
  const gateway = (name: string, waypointFor?: string): KubeObject => ({
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'Gateway',
    metadata: { name, namespace: 'demo', ...(waypointFor && { labels: { 'istio.io/waypoint-for': waypointFor } }) },
    spec: { gatewayClassName: 'istio-waypoint', listeners: [{ name: 'mesh', port: 15008, protocol: 'HBONE' }] },
  });
  const waypointService: KubeObject = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'waypoint', namespace: 'demo', labels: { 'gateway.networking.k8s.io/gateway-name': 'waypoint' } },
    spec: { selector: { 'gateway.networking.k8s.io/gateway-name': 'waypoint' }, ports: [{ name: 'mesh', port: 15008 }] },
  };
  const waypointPod: KubeObject = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'waypoint-0', namespace: 'demo', labels: { 'gateway.networking.k8s.io/gateway-name': 'waypoint' } },
    spec: { serviceAccountName: 'waypoint', nodeName: 'node-1', containers: [{ name: 'waypoint' }] },
    status: { phase: 'Running', podIP: '127.11.1.50' },
  };
  const app: KubeObject = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'app', namespace: 'demo' },
    spec: { selector: { app: 'app' }, ports: [{ port: 80 }] },
  };
  const ignored: KubeObject = {
    ...gateway('ingress'),
    spec: { gatewayClassName: 'istio', listeners: [{ name: 'http', port: 80, protocol: 'HTTP' }] },
  };

  it('finds the waypoint’s Service and pods by the gateway-name label and binds the namespace’s services', () => {
    const snapshot = buildSnapshot([
      namespace('demo', { 'istio.io/dataplane-mode': 'ambient', 'istio.io/use-waypoint': 'waypoint' }),
      gateway('waypoint'),
      ignored,
      waypointService,
      waypointPod,
      app,
    ]);
    expect([...snapshot.waypoints.keys()]).toEqual(['demo/waypoint']);
    expect(snapshot.waypoints.get('demo/waypoint')).toEqual({
      key: 'demo/waypoint',
      namespace: 'demo',
      name: 'waypoint',
      gatewayClassName: 'istio-waypoint',
      trafficType: 'service',
      listeners: [{ name: 'mesh', port: 15008, protocol: 'HBONE' }],
      service: 'demo/waypoint.demo.svc.cluster.local',
      address: { hostname: { namespace: 'demo', hostname: 'waypoint.demo.svc.cluster.local' }, hboneMtlsPort: 15008 },
      pods: ['Kubernetes//Pod/demo/waypoint-0'],
    });
    expect(snapshot.services.get('demo/app.demo.svc.cluster.local')?.waypoint?.key).toBe('demo/waypoint');
    expect(snapshot.services.get('demo/waypoint.demo.svc.cluster.local')).toMatchObject({ implementsWaypoint: 'demo/waypoint' });
    expect(snapshot.services.get('demo/waypoint.demo.svc.cluster.local')?.waypoint).toBeUndefined();
    expect(snapshot.workloads.get('Kubernetes//Pod/demo/waypoint-0')).toMatchObject({
      implementsWaypoint: 'demo/waypoint',
      identity: 'spiffe://cluster.local/ns/demo/sa/waypoint',
    });
  });

  it('binds workloads only to a waypoint for workload traffic', () => {
    const pod: KubeObject = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'app-0', namespace: 'demo', labels: { app: 'app' } },
      spec: { containers: [{ name: 'app' }] },
      status: { phase: 'Running', podIP: '127.11.1.7' },
    };
    const base = [namespace('demo', { 'istio.io/use-waypoint': 'waypoint' }), waypointService, app, pod];
    const forServices = buildSnapshot([...base, gateway('waypoint')]);
    expect(forServices.workloads.get('Kubernetes//Pod/demo/app-0')?.waypoint).toBeUndefined();
    const forAll = buildSnapshot([...base, gateway('waypoint', 'all')]);
    expect(forAll.workloads.get('Kubernetes//Pod/demo/app-0')?.waypoint?.key).toBe('demo/waypoint');
    expect(forAll.services.get('demo/app.demo.svc.cluster.local')?.waypoint?.key).toBe('demo/waypoint');
    const forWorkloads = buildSnapshot([...base, gateway('waypoint', 'workload')]);
    expect(forWorkloads.workloads.get('Kubernetes//Pod/demo/app-0')?.waypoint?.key).toBe('demo/waypoint');
    expect(forWorkloads.services.get('demo/app.demo.svc.cluster.local')?.waypoint).toBeUndefined();
  });
});
