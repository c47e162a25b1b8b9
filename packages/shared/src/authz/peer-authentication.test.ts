import { describe, expect, it } from 'vitest';
import { type PeerAuthentication, peerAuthenticationSchema } from '../resources/security';
import { compileEffectivePeerAuthentication, compilePeerAuthentication, effectivePeerAuthentication } from './peer-authentication';

const ROOT = 'istio-system';
const WORKLOAD = { namespace: 'foo', labels: { app: 'finance' } };

function pa(
  name: string,
  spec: PeerAuthentication['spec'],
  meta: { namespace?: string; creationTimestamp?: string } = {},
): PeerAuthentication {
  return peerAuthenticationSchema.parse({
    apiVersion: 'security.istio.io/v1',
    kind: 'PeerAuthentication',
    metadata: {
      name,
      namespace: meta.namespace ?? 'foo',
      ...(meta.creationTimestamp ? { creationTimestamp: meta.creationTimestamp } : {}),
    },
    spec,
  });
}

const selector = { matchLabels: { app: 'finance' } };

describe('compilePeerAuthentication', () => {
  it('STRICT becomes a DENY of connections without a peer identity', () => {
    const { compiled, notes } = compilePeerAuthentication(pa('default', { mtls: { mode: 'STRICT' } }), ROOT);
    expect(notes).toEqual([]);
    expect(compiled).toEqual({
      name: 'converted_peer_authentication_default',
      namespace: 'foo',
      scope: 'NAMESPACE',
      action: 'DENY',
      dryRun: false,
      rules: [{ clauses: [{ matches: [{ notPrincipals: [{ presence: true }] }] }] }],
    });
  });

  it('a mesh-wide STRICT policy has GLOBAL scope', () => {
    expect(compilePeerAuthentication(pa('default', { mtls: { mode: 'STRICT' } }, { namespace: ROOT }), ROOT).compiled?.scope).toBe(
      'GLOBAL',
    );
  });

  it('PERMISSIVE and UNSET enforce nothing', () => {
    expect(compilePeerAuthentication(pa('p', { mtls: { mode: 'PERMISSIVE' } }), ROOT).compiled).toBeUndefined();
    expect(compilePeerAuthentication(pa('u', {}), ROOT).compiled).toBeUndefined();
  });

  it('DISABLE is reported and enforces nothing', () => {
    const { compiled, notes } = compilePeerAuthentication(pa('d', { mtls: { mode: 'DISABLE' } }), ROOT);
    expect(compiled).toBeUndefined();
    expect(notes).toMatchObject([{ code: 'MtlsDisableNotSupported', path: 'spec.mtls.mode' }]);
  });

  it('STRICT with PERMISSIVE and DISABLE ports exempts those ports', () => {
    const { compiled, notes } = compilePeerAuthentication(
      pa('finance', {
        selector,
        mtls: { mode: 'STRICT' },
        portLevelMtls: { '9090': { mode: 'DISABLE' }, '8080': { mode: 'PERMISSIVE' }, '7070': { mode: 'STRICT' } },
      }),
      ROOT,
    );
    expect(compiled?.scope).toBe('WORKLOAD_SELECTOR');
    expect(compiled?.rules).toEqual([
      { clauses: [{ matches: [{ notPrincipals: [{ presence: true }], notDestinationPorts: [8080, 9090] }] }] },
    ]);
    expect(notes).toMatchObject([{ code: 'MtlsDisableNotSupported', path: 'spec.portLevelMtls["9090"].mode' }]);
  });

  it('PERMISSIVE with STRICT ports requires mTLS on those ports only', () => {
    const { compiled } = compilePeerAuthentication(
      pa('finance', { selector, mtls: { mode: 'PERMISSIVE' }, portLevelMtls: { '8080': { mode: 'STRICT' } } }),
      ROOT,
    );
    expect(compiled?.rules).toEqual([{ clauses: [{ matches: [{ notPrincipals: [{ presence: true }], destinationPorts: [8080] }] }] }]);
  });

  it('ignores portLevelMtls without a selector', () => {
    const { compiled, notes } = compilePeerAuthentication(
      pa('default', { mtls: { mode: 'PERMISSIVE' }, portLevelMtls: { '8080': { mode: 'STRICT' } } }),
      ROOT,
    );
    expect(compiled).toBeUndefined();
    expect(notes).toMatchObject([{ code: 'PortLevelMtlsNeedsSelector', path: 'spec.portLevelMtls' }]);
  });

  it('ignores a selector policy in the root namespace', () => {
    const { compiled, notes } = compilePeerAuthentication(
      pa('root-sel', { selector, mtls: { mode: 'STRICT' } }, { namespace: ROOT }),
      ROOT,
    );
    expect(compiled).toBeUndefined();
    expect(notes).toMatchObject([{ code: 'RootSelectorIgnored' }]);
  });
});

describe('effectivePeerAuthentication: workload over namespace over mesh', () => {
  it('uses the mesh policy when nothing closer applies', () => {
    const e = effectivePeerAuthentication([pa('mesh', { mtls: { mode: 'STRICT' } }, { namespace: ROOT })], WORKLOAD, ROOT);
    expect(e.mode).toBe('STRICT');
    expect(e.policy?.metadata.name).toBe('mesh');
  });

  it('a namespace policy overrides the mesh policy', () => {
    const e = effectivePeerAuthentication(
      [pa('mesh', { mtls: { mode: 'STRICT' } }, { namespace: ROOT }), pa('ns', { mtls: { mode: 'PERMISSIVE' } })],
      WORKLOAD,
      ROOT,
    );
    expect(e.mode).toBe('PERMISSIVE');
    expect(e.policy?.metadata.name).toBe('ns');
  });

  it('a namespace policy with UNSET mode inherits the mesh mode', () => {
    const e = effectivePeerAuthentication(
      [pa('mesh', { mtls: { mode: 'STRICT' } }, { namespace: ROOT }), pa('ns', { mtls: { mode: 'UNSET' } })],
      WORKLOAD,
      ROOT,
    );
    expect(e.mode).toBe('STRICT');
    expect(e.policy?.spec.mtls?.mode).toBe('STRICT');
  });

  it('a selecting workload policy overrides the namespace policy', () => {
    const e = effectivePeerAuthentication(
      [pa('ns', { mtls: { mode: 'STRICT' } }), pa('finance', { selector, mtls: { mode: 'PERMISSIVE' } })],
      WORKLOAD,
      ROOT,
    );
    expect(e.mode).toBe('PERMISSIVE');
    expect(e.workload?.metadata.name).toBe('finance');
  });

  it('ignores policies of other namespaces and selectors that do not match', () => {
    const e = effectivePeerAuthentication(
      [
        pa('bar', { mtls: { mode: 'STRICT' } }, { namespace: 'bar' }),
        pa('other', { selector: { matchLabels: { app: 'other' } }, mtls: { mode: 'STRICT' } }),
      ],
      WORKLOAD,
      ROOT,
    );
    expect(e.policy).toBeUndefined();
    expect(e.mode).toBe('PERMISSIVE');
  });

  it('picks the oldest of competing namespace policies and says so', () => {
    const e = effectivePeerAuthentication(
      [
        pa('newer', { mtls: { mode: 'PERMISSIVE' } }, { creationTimestamp: '2024-05-01T00:00:00Z' }),
        pa('older', { mtls: { mode: 'STRICT' } }, { creationTimestamp: '2024-01-01T00:00:00Z' }),
      ],
      WORKLOAD,
      ROOT,
    );
    expect(e.policy?.metadata.name).toBe('older');
    expect(e.notes).toMatchObject([{ code: 'ConflictingPeerAuthentication' }]);
  });

  it('compiles only the effective policy, with inherited mode and the workload port exceptions', () => {
    const { compiled, effective } = compileEffectivePeerAuthentication(
      [
        pa('mesh', { mtls: { mode: 'STRICT' } }, { namespace: ROOT }),
        pa('finance', { selector, portLevelMtls: { '8080': { mode: 'PERMISSIVE' } } }),
      ],
      WORKLOAD,
      ROOT,
    );
    expect(effective.mode).toBe('STRICT');
    expect(compiled).toMatchObject({
      name: 'converted_peer_authentication_finance',
      scope: 'WORKLOAD_SELECTOR',
      rules: [{ clauses: [{ matches: [{ notPrincipals: [{ presence: true }], notDestinationPorts: [8080] }] }] }],
    });
  });

  it('reports a root-namespace selector policy that would have matched', () => {
    const { compiled, notes } = compileEffectivePeerAuthentication(
      [pa('root-sel', { selector, mtls: { mode: 'STRICT' } }, { namespace: ROOT })],
      WORKLOAD,
      ROOT,
    );
    expect(compiled).toBeUndefined();
    expect(notes).toMatchObject([{ code: 'RootSelectorIgnored' }]);
  });
});
