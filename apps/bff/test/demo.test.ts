import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEMO_FILES, demoManifests, demoPath } from '../src/embedded/demo';

const shared = join(__dirname, '../../../../shared/testdata/upstream/istio');

describe('the demo', () => {
  it.each(DEMO_FILES.filter((f) => f.startsWith('upstream/')))('ships %s exactly as Istio publishes it', (file) => {
    const name = file.split('/').pop() as string;
    expect(readFileSync(demoPath(file))).toEqual(readFileSync(join(shared, name)));
  });

  it('is Bookinfo in an ambient namespace with a waypoint and a load generator', () => {
    const objects = demoManifests().map((m) => m.object);
    const names = objects.map((o) => `${o.kind}/${o.metadata.name}`);
    expect(names).toEqual(
      expect.arrayContaining(['Namespace/demo', 'Gateway/waypoint', 'Deployment/loadgen', 'Deployment/reviews-v3', 'Service/reviews-v2']),
    );
    const ns = objects.find((o) => o.kind === 'Namespace');
    expect(ns?.metadata.labels).toEqual({ 'istio.io/dataplane-mode': 'ambient', 'istio.io/use-waypoint': 'waypoint' });
  });
});
