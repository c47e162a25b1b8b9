import { describe, expect, it } from 'vitest';
import { decodeDeltaDiscoveryResponse, encodeDeltaDiscoveryRequest } from './client-messages';
import { decodeDeltaDiscoveryRequest, encodeDeltaDiscoveryResponse } from './discovery-messages';
import { discoverySchemas, envoySchemas } from './schemas';

describe('schema sets', () => {
  it("gives an xDS client the discovery messages without Envoy's resource schemas, wire-compatible with the server's", () => {
    // First in this file: nothing has loaded the full Envoy set yet.
    const discovery = discoverySchemas();
    expect(discovery.lookupType('envoy.service.discovery.v3.DeltaDiscoveryRequest').name).toBe('DeltaDiscoveryRequest');
    expect(() => discovery.lookupType('envoy.config.listener.v3.Listener')).toThrow();
    expect(() => discovery.lookupType('envoy.config.cluster.v3.Cluster')).toThrow();

    const request = encodeDeltaDiscoveryRequest({
      node: { id: 'ztunnel~10.0.0.1~node-a.ambit-system~ambit-system.svc.cluster.local', cluster: 'node-a' },
      typeUrl: 'type.googleapis.com/istio.workload.Address',
      resourceNamesSubscribe: ['*'],
      initialResourceVersions: { 'shop/cart': 'v1' },
    });
    const received = decodeDeltaDiscoveryRequest(request);
    expect(received.node?.id).toBe('ztunnel~10.0.0.1~node-a.ambit-system~ambit-system.svc.cluster.local');
    expect(received.resourceNamesSubscribe).toEqual(['*']);
    expect(received.initialResourceVersions).toEqual({ 'shop/cart': 'v1' });

    const value = Uint8Array.from([10, 3, 1, 2, 3]);
    const response = decodeDeltaDiscoveryResponse(
      encodeDeltaDiscoveryResponse({
        systemVersionInfo: '7',
        typeUrl: 'type.googleapis.com/istio.workload.Address',
        nonce: 'n1',
        resources: [{ name: 'shop/cart', version: 'v2', resource: { typeUrl: 'type.googleapis.com/istio.workload.Address', value } }],
        removedResources: ['shop/old'],
      }),
    );
    expect(response.nonce).toBe('n1');
    expect([...(response.resources[0]?.resource?.value ?? [])]).toEqual([...value]);
    expect(response.removedResources).toEqual(['shop/old']);
  });

  it('reuses the full Envoy set for the discovery messages once a process has loaded it', () => {
    const envoy = envoySchemas();
    expect(envoy.lookupType('envoy.config.listener.v3.Listener').name).toBe('Listener');
    expect(discoverySchemas()).toBe(envoy);
  });
});
