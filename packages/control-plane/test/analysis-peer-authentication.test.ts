import { describe, expect, it } from 'vitest';
import { ambientMesh, only, peerAuthentication, pod, run, summary } from './analysis-fixtures';

describe('analysis: PeerAuthentication in ambient', () => {
  it('warns that DISABLE acts as PERMISSIVE and that portLevelMtls without a selector is ignored', () => {
    const messages = run([
      ...ambientMesh(),
      peerAuthentication('off', { mtls: { mode: 'DISABLE' } }),
      peerAuthentication('ports', { portLevelMtls: { '8080': { mode: 'STRICT' } } }, 'default'),
    ]);
    expect(summary(only(messages, 'AMB0008', 'AMB0009'))).toEqual([
      'AMB0008 PeerAuthentication demo/off spec.mtls.mode',
      'AMB0009 PeerAuthentication default/ports spec.portLevelMtls',
    ]);
    expect(only(messages, 'AMB0008')[0]?.message).toContain('treated as PERMISSIVE');
  });

  it('warns about a selector in the root namespace', () => {
    const messages = run([
      ...ambientMesh(),
      peerAuthentication('root-selected', { selector: { matchLabels: { app: 'x' } }, mtls: { mode: 'STRICT' } }, 'istio-system'),
    ]);
    expect(summary(only(messages, 'AMB0010'))).toEqual(['AMB0010 PeerAuthentication istio-system/root-selected spec.selector']);
  });

  it('reports the newer of two namespace-wide policies as ignored, naming the one used', () => {
    const messages = run([
      ...ambientMesh(),
      peerAuthentication('strict', { mtls: { mode: 'STRICT' } }, 'demo', '2024-01-01T00:00:00Z'),
      peerAuthentication('permissive', { mtls: { mode: 'PERMISSIVE' } }, 'demo', '2024-02-01T00:00:00Z'),
    ]);
    expect(only(messages, 'AMB0011')).toEqual([
      expect.objectContaining({
        resource: { kind: 'PeerAuthentication', namespace: 'demo', name: 'permissive' },
        message:
          'PeerAuthentications demo/permissive, demo/strict are all namespace-wide in demo; only the oldest, demo/strict, is used and this one is ignored',
      }),
    ]);
  });

  it('reports two selector policies picking the same workload', () => {
    const messages = run([
      ...ambientMesh(),
      pod('reviews-1', { app: 'reviews', version: 'v1' }),
      peerAuthentication(
        'by-app',
        { selector: { matchLabels: { app: 'reviews' } }, mtls: { mode: 'STRICT' } },
        'demo',
        '2024-01-01T00:00:00Z',
      ),
      peerAuthentication(
        'by-version',
        { selector: { matchLabels: { version: 'v1' } }, mtls: { mode: 'PERMISSIVE' } },
        'demo',
        '2024-03-01T00:00:00Z',
      ),
    ]);
    expect(only(messages, 'AMB0011').map((m) => [m.resource.name, m.path, m.message])).toEqual([
      [
        'by-version',
        'spec.selector',
        expect.stringContaining('are all selecting Pod demo/reviews-1; only the oldest, demo/by-app, is used'),
      ],
    ]);
  });

  it('is quiet for one policy per level and selectors that pick different workloads', () => {
    const messages = run([
      ...ambientMesh(),
      pod('reviews-1', { app: 'reviews' }),
      pod('ratings-1', { app: 'ratings' }),
      peerAuthentication('mesh', { mtls: { mode: 'STRICT' } }, 'istio-system'),
      peerAuthentication('demo', { mtls: { mode: 'STRICT' } }),
      peerAuthentication('reviews', { selector: { matchLabels: { app: 'reviews' } }, portLevelMtls: { '9080': { mode: 'PERMISSIVE' } } }),
      peerAuthentication('ratings', { selector: { matchLabels: { app: 'ratings' } }, mtls: { mode: 'PERMISSIVE' } }),
    ]);
    expect(messages).toEqual([]);
  });
});
