import { describe, expect, it } from 'vitest';
import { authorizeIdentity, type IdentitySources, identitiesAllowedFor } from './authorization';

const CART = 'spiffe://cluster.local/ns/shop/sa/cart';
const PAYMENTS = 'spiffe://cluster.local/ns/shop/sa/payments';
const sources: IdentitySources = {
  identitiesOnNode: (node) => new Set(node === 'node-a' ? [CART] : node === 'node-b' ? [PAYMENTS] : []),
};
const nodeA = { kind: 'node', node: 'node-a' } as const;

describe('authorizeIdentity', () => {
  it('lets a node proxy act for a workload on its node, with or without ImpersonatedIdentity', () => {
    expect(identitiesAllowedFor(nodeA, sources)).toEqual(new Set([CART]));
    expect(() => authorizeIdentity({ caller: nodeA, identity: CART, impersonatedIdentity: undefined }, sources)).not.toThrow();
    expect(() => authorizeIdentity({ caller: nodeA, identity: CART, impersonatedIdentity: CART }, sources)).not.toThrow();
  });

  it('refuses a workload on another node and an identity no workload has', () => {
    for (const identity of [PAYMENTS, 'spiffe://cluster.local/ns/shop/sa/ghost']) {
      expect(() => authorizeIdentity({ caller: nodeA, identity, impersonatedIdentity: undefined }, sources)).toThrow(
        expect.objectContaining({
          code: 'PermissionDenied',
          message: expect.stringMatching(
            /^node node-a may not obtain a certificate for .*: no workload with that identity is scheduled on this node/,
          ),
        }),
      );
    }
  });

  it('refuses an ImpersonatedIdentity that differs from the CSR, even one the node may have', () => {
    expect(() => authorizeIdentity({ caller: nodeA, identity: PAYMENTS, impersonatedIdentity: CART }, sources)).toThrow(
      expect.objectContaining({ code: 'PermissionDenied', message: expect.stringMatching(/does not match the CSR's SPIFFE id/) }),
    );
  });
});
