import { describe, expect, it } from 'vitest';
import { ambientMesh, authorizationPolicy, deployment, only, peerAuthentication, pod, run, summary } from './analysis-fixtures';

describe('analysis: selectors that match no workload (IST0127)', () => {
  it('reports AuthorizationPolicy and PeerAuthentication selectors that match no Pod, with the labels as Istio prints them', () => {
    const messages = run([
      ...ambientMesh(),
      pod('reviews-1', { app: 'reviews', version: 'v1' }),
      authorizationPolicy('typo', { selector: { matchLabels: { app: 'bogus-label', version: 'v1' } } }),
      peerAuthentication('strict-ratings', { selector: { matchLabels: { app: 'ratings' } }, mtls: { mode: 'STRICT' } }),
    ]);
    expect(summary(only(messages, 'IST0127'))).toEqual([
      'IST0127 AuthorizationPolicy demo/typo spec.selector',
      'IST0127 PeerAuthentication demo/strict-ratings spec.selector',
    ]);
    expect(only(messages, 'IST0127')[0]).toMatchObject({
      level: 'Warning',
      message: 'No matching workloads for this resource with the following labels: app=bogus-label,version=v1',
    });
  });

  it('is satisfied by a running Pod, by the pod template of a Deployment with no pods yet, and mesh-wide by a root-namespace policy', () => {
    const messages = run([
      ...ambientMesh(),
      pod('reviews-1', { app: 'reviews', version: 'v1' }),
      deployment('ratings', { app: 'ratings' }),
      pod('web-1', { app: 'web' }, 'default'),
      authorizationPolicy('reviews', { selector: { matchLabels: { app: 'reviews' } } }),
      peerAuthentication('ratings', { selector: { matchLabels: { app: 'ratings' } }, mtls: { mode: 'STRICT' } }),
      authorizationPolicy('web-everywhere', { selector: { matchLabels: { app: 'web' } } }, 'istio-system'),
    ]);
    expect(only(messages, 'IST0127')).toEqual([]);
  });

  it('does not count a Pod of another namespace for a namespaced policy', () => {
    const messages = run([
      ...ambientMesh(),
      pod('web-1', { app: 'web' }, 'default'),
      authorizationPolicy('web', { selector: { matchLabels: { app: 'web' } } }),
    ]);
    expect(summary(only(messages, 'IST0127'))).toEqual(['IST0127 AuthorizationPolicy demo/web spec.selector']);
  });
});
