import { describe, expect, it } from 'vitest';
import { parseProxyInfo } from './proxy-info';

const stringValue = (value: string) => ({ stringValue: value });

describe('parseProxyInfo', () => {
  it('reads an Istio node id', () => {
    const proxy = parseProxyInfo({ id: 'ztunnel~10.0.0.1~ztunnel-abc.istio-system~istio-system.svc.cluster.local', cluster: 'Kubernetes' });
    expect(proxy).toMatchObject({
      kind: 'ztunnel',
      ip: '10.0.0.1',
      name: 'ztunnel-abc',
      namespace: 'istio-system',
      dnsDomain: 'istio-system.svc.cluster.local',
      cluster: 'Kubernetes',
    });
    expect(parseProxyInfo({ id: 'router~10.0.0.2~waypoint-1.default~default.svc.cluster.local' })?.kind).toBe('waypoint');
  });

  it("prefers Ambit's metadata and keeps it as JSON", () => {
    const proxy = parseProxyInfo({
      id: 'sidecar~10.0.0.3~echo.default~default.svc.cluster.local',
      metadata: {
        fields: {
          AMBIT_PROXY_KIND: stringValue('waypoint'),
          NODE_NAME: stringValue('node-2'),
          WAYPOINT: stringValue('default/waypoint'),
          CLUSTER_ID: stringValue('east'),
          LABELS: { structValue: { fields: { app: stringValue('echo') } } },
          PORTS: { listValue: { values: [{ numberValue: 80 }, { boolValue: true }, { nullValue: 0 }] } },
        },
      },
    });
    expect(proxy).toMatchObject({ kind: 'waypoint', nodeName: 'node-2', waypoint: 'default/waypoint', cluster: 'east' });
    expect(proxy?.metadata).toEqual({
      AMBIT_PROXY_KIND: 'waypoint',
      NODE_NAME: 'node-2',
      WAYPOINT: 'default/waypoint',
      CLUSTER_ID: 'east',
      LABELS: { app: 'echo' },
      PORTS: [80, true, null],
    });
  });

  it('recognizes proxyless gRPC clients by user agent or GENERATOR', () => {
    expect(parseProxyInfo({ id: 'client-1', userAgentName: 'gRPC Node Pure JS', userAgentVersion: '1.14.1' })).toMatchObject({
      kind: 'grpc',
      userAgent: 'gRPC Node Pure JS/1.14.1',
    });
    expect(parseProxyInfo({ id: 'client-2', metadata: { fields: { GENERATOR: stringValue('grpc') } } })?.kind).toBe('grpc');
    expect(parseProxyInfo({ id: 'mystery' })?.kind).toBe('unknown');
  });

  it('refuses a node without id', () => {
    expect(parseProxyInfo(undefined)).toBeUndefined();
    expect(parseProxyInfo({ cluster: 'x' })).toBeUndefined();
  });
});
