import { EventEmitter } from 'node:events';
import { ipToBytes, packAddress, packEnvoyResource, TypeUrl } from '@ambit/shared/xds';
import type { ServerDuplexStream } from '@grpc/grpc-js';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { decodeResource } from './config-dump';
import { DiscoveryServer } from './discovery-server';
import { MemoryResourceSource } from './memory-source';
import { parseProxyInfo } from './proxy-info';
import type { SotwConnection } from './sotw-connection';

const workload = packAddress({
  workload: {
    uid: 'Kubernetes//Pod/demo/cart-0',
    name: 'cart-0',
    namespace: 'demo',
    addresses: [ipToBytes('127.11.0.7')],
    serviceAccount: 'cart',
  },
});
const cluster = packEnvoyResource('envoy.config.cluster.v3.Cluster', { name: 'outbound|80||cart.demo.svc.cluster.local', type: 'EDS' });

/** A gRPC server stream that accepts every write at once. */
function acceptingCall(): ServerDuplexStream<unknown, Buffer> {
  return Object.assign(new EventEmitter(), {
    write: (_frame: Buffer, done: () => void) => {
      done();
      return true;
    },
    destroy: () => undefined,
  }) as unknown as ServerDuplexStream<unknown, Buffer>;
}

describe('decodeResource', () => {
  it('decodes workload API resources with addresses as IP text', () => {
    const { resource } = decodeResource(workload);
    expect(resource).toMatchObject({ workload: { name: 'cart-0', namespace: 'demo', addresses: ['127.11.0.7'], serviceAccount: 'cart' } });
  });

  it('decodes Envoy resources with enums as names', () => {
    expect(decodeResource(cluster).resource).toMatchObject({ name: 'outbound|80||cart.demo.svc.cluster.local', type: 'EDS' });
  });

  it('never shows a private key, and explains what it cannot decode', () => {
    // No resource Ambit serves holds a key; a Struct could, so a key-named field anywhere is redacted.
    const tls = packEnvoyResource('envoy.config.cluster.v3.Cluster', {
      name: 'c',
      metadata: { filterMetadata: { 'ambit.dev/test': { fields: { private_key: { stringValue: '-----BEGIN PRIVATE KEY-----' } } } } },
    });
    const decoded = JSON.stringify(decodeResource(tls).resource);
    expect(decoded).not.toContain('BEGIN PRIVATE KEY');
    expect(decoded).toContain('[redacted]');
    expect(decodeResource({ typeUrl: 'type.googleapis.com/no.such.Type', value: new Uint8Array() }).decodeError).toMatch(/no.such.Type/);
  });
});

describe('DiscoveryServer.configDump', () => {
  it('shows, per type URL, what was last pushed to the proxy with the versions sent and acknowledged', () => {
    const source = new MemoryResourceSource();
    source.set('cart', cluster);
    const server = new DiscoveryServer({ source, logger: pino({ level: 'silent' }) });
    try {
      const proxy = parseProxyInfo({ id: 'router~127.11.1.50~waypoint-0.demo~demo.svc.cluster.local' });
      if (!proxy) throw new Error('proxy id');
      const connection = server.connect('sotw', proxy, 'test', acceptingCall()) as SotwConnection;
      connection.handleRequest({ typeUrl: TypeUrl.cluster, resourceNames: [], responseNonce: '', versionInfo: '' } as never);
      const sent = connection.status().types[0];
      connection.handleRequest({
        typeUrl: TypeUrl.cluster,
        resourceNames: [],
        responseNonce: sent?.lastNonce,
        versionInfo: sent?.versionSent,
      } as never);

      const dump = server.configDump(proxy.id);
      expect(dump).toMatchObject({ id: proxy.id, kind: 'waypoint', transport: 'sotw' });
      expect(dump?.types).toEqual([
        expect.objectContaining({
          typeUrl: TypeUrl.cluster,
          state: 'SYNCED',
          versionSent: sent?.versionSent,
          versionAcked: sent?.versionSent,
          resources: [{ name: 'cart', version: expect.any(String), resource: expect.objectContaining({ type: 'EDS' }) }],
        }),
      ]);
      expect(server.configDump('nobody')).toBeUndefined();
    } finally {
      server.close();
    }
  });
});
