import { describe, expect, it } from 'vitest';
import {
  decodeDeltaDiscoveryResponse,
  decodeDiscoveryResponse,
  encodeDeltaDiscoveryRequest,
  encodeDiscoveryRequest,
} from '../client-messages';
import {
  decodeDeltaDiscoveryRequest,
  decodeDiscoveryRequest,
  encodeDeltaDiscoveryResponse,
  encodeDiscoveryResponse,
} from '../discovery-messages';
import { decodeMeshNode, encodeMeshNode } from '../mesh-node';
import { AMBIT_PROTO_DIR, envoyIncludeDirs, loadProtoRoot } from '../schemas';
import { jsonToStruct } from '../struct';
import { TypeUrl } from '../type-urls';
import {
  type Address,
  type Authorization,
  decodeAddress,
  decodeAuthorization,
  encodeAddress,
  encodeAuthorization,
  ipToBytes,
} from '../workload-api';
import {
  decodeAddressWire,
  decodeAuthorizationWire,
  decodeDeltaDiscoveryResponseWire,
  decodeDiscoveryResponseWire,
  decodeIstioCertificateResponse,
  decodeMeshNodeWire,
  encodeDeltaDiscoveryRequestWire,
  encodeDiscoveryRequestWire,
  encodeIstioCertificateRequest,
  ProtoWriter,
} from './index';
import { ProtoReader } from './reader';

/** Plain data: Buffers and Uint8Arrays both as byte arrays, so either codec's choice compares equal. */
function plain(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value, (_key, v) => (v instanceof Uint8Array || v?.type === 'Buffer' ? [...(v.data ?? v)] : v)));
}

/** Fields a newer control plane might send: every wire type, at field numbers no schema here uses. */
function withUnknownFields(bytes: Uint8Array): Uint8Array {
  const extra = new ProtoWriter()
    .uint(900, 7)
    .double(901, 1.5)
    .string(902, 'from the future')
    .message(903, (inner) => inner.uint(1, 2))
    .finish();
  const tag = (904 << 3) | 5;
  const fixed32 = Buffer.from([(tag & 0x7f) | 0x80, tag >> 7, 1, 2, 3, 4]);
  return Buffer.concat([bytes, extra, fixed32]);
}

const WORKLOAD: Address = {
  workload: {
    uid: 'Kubernetes//Pod/shop/cart-1',
    name: 'cart-1',
    namespace: 'shop',
    addresses: [ipToBytes('10.0.0.1'), ipToBytes('fd00::1')],
    hostname: 'cart-1.shop',
    network: 'net-1',
    tunnelProtocol: 'HBONE',
    trustDomain: 'example.org',
    serviceAccount: 'cart',
    waypoint: { hostname: { namespace: 'shop', hostname: 'waypoint.shop.svc.cluster.local' }, hboneMtlsPort: 15008 },
    node: 'node-a',
    canonicalName: 'cart',
    canonicalRevision: 'v2',
    workloadType: 'POD',
    workloadName: 'cart',
    services: {
      'shop/cart.shop.svc.cluster.local': { ports: [{ servicePort: 80, targetPort: 8080, appProtocol: 'HTTP2' }, { servicePort: 9090 }] },
      'shop/empty.shop.svc.cluster.local': { ports: [] },
    },
    authorizationPolicies: ['shop/allow-frontend', 'shop/deny-admin'],
    status: 'UNHEALTHY',
    clusterId: 'Kubernetes',
    locality: { region: 'eu', zone: 'eu-1', subzone: 'rack-3' },
  },
};

const SERVICE: Address = {
  service: {
    name: 'cart',
    namespace: 'shop',
    hostname: 'cart.shop.svc.cluster.local',
    addresses: [{ network: 'net-1', address: ipToBytes('10.96.0.10') }, { address: ipToBytes('127.0.0.9') }],
    ports: [{ servicePort: 80, targetPort: 8080, appProtocol: 'HTTP11' }],
    subjectAltNames: ['spiffe://example.org/ns/shop/sa/cart'],
    waypoint: { address: { network: 'net-1', address: ipToBytes('10.0.0.99') }, hboneMtlsPort: 15008 },
    loadBalancing: { routingPreference: ['NETWORK', 'REGION', 'ZONE'], mode: 'FAILOVER', healthPolicy: 'ALLOW_ALL' },
  },
};

const AUTHORIZATION: Authorization = {
  name: 'allow-frontend',
  namespace: 'shop',
  scope: 'WORKLOAD_SELECTOR',
  action: 'DENY',
  dryRun: true,
  rules: [
    {
      clauses: [
        {
          matches: [
            {
              namespaces: [{ exact: 'web' }, { prefix: 'web-' }],
              notNamespaces: [{ suffix: '-test' }],
              principals: [{ presence: {} }],
              notPrincipals: [{ exact: 'example.org/ns/web/sa/admin' }],
              sourceIps: [{ address: ipToBytes('10.1.0.0'), length: 16 }],
              notSourceIps: [{ address: ipToBytes('fd00::'), length: 8 }],
              destinationIps: [{ address: ipToBytes('10.0.0.1'), length: 32 }],
              notDestinationIps: [{ address: ipToBytes('10.0.0.2'), length: 32 }],
              destinationPorts: [80, 8080],
              notDestinationPorts: [9090],
              serviceAccounts: [{ namespace: 'web', serviceAccount: 'frontend' }],
              notServiceAccounts: [{ namespace: 'web', serviceAccount: 'legacy' }],
            },
          ],
        },
        { matches: [{ destinationPorts: [443] }] },
      ],
    },
    { clauses: [] },
  ],
};

describe('wire codec of the workload API, against the protobufjs codec the control plane encodes with', () => {
  it('decodes workloads and services exactly as the reflection decoder does', () => {
    for (const address of [WORKLOAD, SERVICE, { workload: { uid: 'u', name: '', namespace: '' } } as Address]) {
      const bytes = encodeAddress(address);
      expect(plain(decodeAddressWire(bytes))).toEqual(plain(decodeAddress(bytes)));
      expect(plain(decodeAddressWire(withUnknownFields(bytes)))).toEqual(plain(decodeAddress(bytes)));
    }
    const decoded = decodeAddressWire(encodeAddress(WORKLOAD));
    expect(decoded.workload?.tunnelProtocol).toBe('HBONE');
    expect([...(decoded.workload?.addresses?.[1] ?? [])]).toEqual([...ipToBytes('fd00::1')]);
  });

  it('decodes L4 authorization policies with every match kind', () => {
    for (const authorization of [AUTHORIZATION, { name: 'a', namespace: 'b' }]) {
      const bytes = encodeAuthorization(authorization);
      expect(plain(decodeAuthorizationWire(bytes))).toEqual(plain(decodeAuthorization(bytes)));
      expect(plain(decodeAuthorizationWire(withUnknownFields(bytes)))).toEqual(plain(decodeAuthorization(bytes)));
    }
    expect(decodeAuthorizationWire(encodeAuthorization(AUTHORIZATION)).rules?.[0]?.clauses[0]?.matches[0]?.principals).toEqual([
      { presence: {} },
    ]);
  });

  it("decodes Ambit's Node", () => {
    const bytes = encodeMeshNode({ name: 'node-a', addresses: [ipToBytes('127.0.0.2')], hbonePort: 15008 });
    expect(plain(decodeMeshNodeWire(bytes))).toEqual(plain(decodeMeshNode(bytes)));
  });

  it('reads a negative enum (a ten-byte varint) as its low 32 bits, not as 0', () => {
    // Field 1, varint, value -1 as int32 enums are written: ten bytes, 0xff… 0x01.
    const bytes = Uint8Array.from([0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]);
    const reader = new ProtoReader(bytes);
    expect(reader.next()).toBe(true);
    expect(reader.uint32()).toBe(0xffff_ffff);
  });

  it('rejects truncated messages instead of reading past them', () => {
    const bytes = encodeAddress(WORKLOAD);
    expect(() => decodeAddressWire(bytes.subarray(0, bytes.length - 3))).toThrow(/invalid protobuf/);
  });
});

describe('wire codec of ADS messages', () => {
  const node = {
    id: 'ztunnel-node-a',
    cluster: 'Kubernetes',
    userAgentName: 'ambit-ztunnel',
    locality: { region: 'eu', zone: 'eu-1', subZone: 'r3' },
    metadata: jsonToStruct({
      AMBIT_PROXY_KIND: 'ztunnel',
      NODE_NAME: 'node-a',
      n: 1.5,
      zero: 0,
      f: false,
      nil: null,
      list: ['a', 2],
      o: { x: '' },
    }),
  };

  it('encodes delta requests the server decodes as the reflection encoder wrote them', () => {
    const requests = [
      {
        node,
        typeUrl: TypeUrl.address,
        resourceNamesSubscribe: ['*', 'shop/cart'],
        resourceNamesUnsubscribe: ['old'],
        initialResourceVersions: { 'Kubernetes//Pod/shop/cart-1': 'v1', other: '' },
      },
      { typeUrl: TypeUrl.authorization, responseNonce: 'n-7', errorDetail: { code: 3, message: 'bad resource' } },
      { typeUrl: TypeUrl.node, responseNonce: 'n-8' },
    ];
    for (const request of requests) {
      expect(plain(decodeDeltaDiscoveryRequest(encodeDeltaDiscoveryRequestWire(request)))).toEqual(
        plain(decodeDeltaDiscoveryRequest(encodeDeltaDiscoveryRequest(request))),
      );
    }
  });

  it('encodes state-of-the-world requests the same way', () => {
    const requests = [
      { node, typeUrl: TypeUrl.listener, versionInfo: '', resourceNames: [] },
      {
        typeUrl: TypeUrl.routeConfiguration,
        versionInfo: 'v3',
        resourceNames: ['r1', 'r2'],
        responseNonce: 'x',
        errorDetail: { code: 3, message: 'no' },
      },
    ];
    for (const request of requests) {
      expect(plain(decodeDiscoveryRequest(encodeDiscoveryRequestWire(request)))).toEqual(
        plain(decodeDiscoveryRequest(encodeDiscoveryRequest(request))),
      );
    }
  });

  it('decodes delta and state-of-the-world responses as the reflection decoder does', () => {
    const delta = encodeDeltaDiscoveryResponse({
      systemVersionInfo: 'sv-9',
      typeUrl: TypeUrl.address,
      nonce: 'n-1',
      resources: [
        { name: 'Kubernetes//Pod/shop/cart-1', version: 'v1', resource: { typeUrl: TypeUrl.address, value: encodeAddress(WORKLOAD) } },
        { name: 'shop/cart', version: 'v2', resource: { typeUrl: TypeUrl.address, value: encodeAddress(SERVICE) } },
      ],
      removedResources: ['gone-1', 'gone-2'],
      controlPlane: { identifier: 'ambit' },
    });
    expect(plain(decodeDeltaDiscoveryResponseWire(delta))).toEqual(plain(decodeDeltaDiscoveryResponse(delta)));
    expect(plain(decodeDeltaDiscoveryResponseWire(withUnknownFields(delta)))).toEqual(plain(decodeDeltaDiscoveryResponse(delta)));
    const sotw = encodeDiscoveryResponse({
      versionInfo: 'v4',
      typeUrl: TypeUrl.authorization,
      nonce: 'n-2',
      resources: [{ typeUrl: TypeUrl.authorization, value: encodeAuthorization(AUTHORIZATION) }],
    });
    expect(plain(decodeDiscoveryResponseWire(sotw))).toEqual(plain(decodeDiscoveryResponse(sotw)));
  });
});

describe('wire codec of the CA messages', () => {
  const root = loadProtoRoot(['istio/v1/auth/ca.proto'], [AMBIT_PROTO_DIR, ...envoyIncludeDirs()]);
  const requestType = root.lookupType('istio.v1.auth.IstioCertificateRequest');
  const responseType = root.lookupType('istio.v1.auth.IstioCertificateResponse');

  it('encodes a request the CA reads with its csr, lifetime and impersonated identity', () => {
    const bytes = encodeIstioCertificateRequest({
      csr: '-----BEGIN CERTIFICATE REQUEST-----\nMII…\n-----END CERTIFICATE REQUEST-----\n',
      validityDuration: 3600,
      metadata: { fields: { ImpersonatedIdentity: { stringValue: 'spiffe://cluster.local/ns/shop/sa/cart' } } },
    });
    expect(requestType.toObject(requestType.decode(bytes), { longs: Number })).toEqual({
      csr: '-----BEGIN CERTIFICATE REQUEST-----\nMII…\n-----END CERTIFICATE REQUEST-----\n',
      validityDuration: 3600,
      metadata: { fields: { ImpersonatedIdentity: { stringValue: 'spiffe://cluster.local/ns/shop/sa/cart' } } },
    });
  });

  it('decodes the chain the CA answers with, leaf first', () => {
    const bytes = responseType.encode(responseType.fromObject({ certChain: ['leaf', 'intermediate', 'root'] })).finish();
    expect(decodeIstioCertificateResponse(bytes)).toEqual({ certChain: ['leaf', 'intermediate', 'root'] });
  });
});
