import type { ReferenceGrant } from '@ambit/shared';
import { describe, expect, it } from 'vitest';
import { ReferenceGrants } from './reference-grants';

const ROUTES = 'gateway.networking.k8s.io';

function grant(namespace: string, spec: ReferenceGrant['spec'], name = 'grant'): ReferenceGrant {
  return { apiVersion: `${ROUTES}/v1beta1`, kind: 'ReferenceGrant', metadata: { name, namespace }, spec };
}

const fromInfra = [{ group: ROUTES, kind: 'HTTPRoute', namespace: 'infra' }];

describe('ReferenceGrants: may an HTTPRoute use a Service of another namespace', () => {
  it('needs no grant within one namespace, and is refused across namespaces without one', () => {
    const none = new ReferenceGrants([]);
    expect(none.permitsServiceBackend('infra', 'infra', 'web', 'HTTPRoute')).toBe(true);
    expect(none.permitsServiceBackend('infra', 'backend', 'web', 'HTTPRoute')).toBe(false);
  });

  it('permits only the Service a grant names, or every Service of the namespace when it names none', () => {
    const named = new ReferenceGrants([grant('backend', { from: fromInfra, to: [{ group: '', kind: 'Service', name: 'v1' }] })]);
    expect(named.permitsServiceBackend('infra', 'backend', 'v1', 'HTTPRoute')).toBe(true);
    expect(named.permitsServiceBackend('infra', 'backend', 'v2', 'HTTPRoute')).toBe(false);
    const all = new ReferenceGrants([grant('backend', { from: fromInfra, to: [{ group: '', kind: 'Service' }] })]);
    expect(all.permitsServiceBackend('infra', 'backend', 'v2', 'HTTPRoute')).toBe(true);
  });

  it('counts only a grant in the target namespace, from HTTPRoutes of the route’s namespace, to core Services', () => {
    const wrong = new ReferenceGrants([
      grant('infra', { from: fromInfra, to: [{ group: '', kind: 'Service' }] }, 'wrong-namespace'),
      grant('backend', { from: [{ group: 'example.com', kind: 'HTTPRoute', namespace: 'infra' }], to: [{ group: '', kind: 'Service' }] }),
      grant('backend', { from: [{ group: ROUTES, kind: 'Gateway', namespace: 'infra' }], to: [{ group: '', kind: 'Service' }] }),
      grant('backend', { from: [{ group: ROUTES, kind: 'HTTPRoute', namespace: 'elsewhere' }], to: [{ group: '', kind: 'Service' }] }),
      grant('backend', { from: fromInfra, to: [{ group: 'example.com', kind: 'Service' }] }),
      grant('backend', { from: fromInfra, to: [{ group: '', kind: 'Secret', name: 'web' }] }),
    ]);
    expect(wrong.permitsServiceBackend('infra', 'backend', 'web', 'HTTPRoute')).toBe(false);
  });

  it('ORs the entries of a grant and the grants of a namespace', () => {
    const grants = new ReferenceGrants([
      grant('backend', {
        from: [{ group: ROUTES, kind: 'GRPCRoute', namespace: 'infra' }, ...fromInfra],
        to: [
          { group: '', kind: 'Secret' },
          { group: 'core', kind: 'Service', name: 'web' },
        ],
      }),
    ]);
    expect(grants.permitsServiceBackend('infra', 'backend', 'web', 'HTTPRoute')).toBe(true);
    expect(grants.permitsServiceBackend('other', 'backend', 'web', 'HTTPRoute')).toBe(false);
  });
});
