import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type KubeObject, readManifests } from '@ambit/shared';
import { describe, expect, it } from 'vitest';
import { exitCodeFor, formatMessages } from '../src/analysis';
import { ambientMesh, run, summary } from './analysis-fixtures';

// Istio's own bookinfo manifests, unchanged, applied into the ambient namespace `demo` with a waypoint.
const upstream = fileURLToPath(new URL('../../../../shared/testdata/upstream/istio/', import.meta.url));

function manifests(...files: string[]): KubeObject[] {
  return files.flatMap((file) =>
    readManifests(readFileSync(upstream + file, 'utf8'), file).map(({ object }) => ({
      ...object,
      metadata: { ...object.metadata, namespace: 'demo' },
    })),
  );
}

describe('analysis: Istio bookinfo in an ambient namespace with a waypoint', () => {
  it('finds nothing wrong with bookinfo, its versioned Services and the 90/10 reviews split', () => {
    const messages = run([...ambientMesh(), ...manifests('bookinfo.yaml', 'bookinfo-versions.yaml', 'route-reviews-90-10.yaml')]);
    expect(formatMessages(messages)).toBe('');
    expect(exitCodeFor(messages)).toBe(0);
  });

  it('reports each versioned backend route-all-v1 needs when bookinfo-versions.yaml is not applied', () => {
    const messages = run([...ambientMesh(), ...manifests('bookinfo.yaml', 'route-all-v1.yaml')]);
    expect(summary(messages)).toEqual([
      'IST0101 HTTPRoute demo/details spec.rules[0].backendRefs[0]',
      'IST0101 HTTPRoute demo/productpage spec.rules[0].backendRefs[0]',
      'IST0101 HTTPRoute demo/ratings spec.rules[0].backendRefs[0]',
      'IST0101 HTTPRoute demo/reviews spec.rules[0].backendRefs[0]',
    ]);
    expect(messages.map((m) => m.message)).toContain('Referenced Service demo/reviews-v1 not found; its share of requests gets 500');
    expect(exitCodeFor(messages)).toBe(1);
  });
});
