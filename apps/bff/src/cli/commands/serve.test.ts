import type { StoredObject } from '@ambit/control-plane/store';
import { describe, expect, it } from 'vitest';
import { deploymentStatusReady } from './serve';

function deployment(replicas: number | undefined, generation: number, status: Record<string, number> | undefined): StoredObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'podinfo', namespace: 'demo', uid: 'u', resourceVersion: '1', generation, creationTimestamp: '' },
    spec: { ...(replicas !== undefined ? { replicas } : {}), selector: { matchLabels: { app: 'podinfo' } }, template: {} },
    ...(status ? { status } : {}),
  } as StoredObject;
}

describe('a Deployment is ready for the rollout controller in serve mode as Flagger judges it, from its status', () => {
  it('is ready once ready and updated replicas reach spec.replicas for the current generation', () => {
    expect(deploymentStatusReady(deployment(2, 3, { observedGeneration: 3, readyReplicas: 2, updatedReplicas: 2 }))).toBe(true);
    expect(deploymentStatusReady(deployment(undefined, 1, { readyReplicas: 1 }))).toBe(true);
  });

  it('is not ready with too few ready or updated replicas, an older observed generation, or no status yet', () => {
    expect(deploymentStatusReady(deployment(2, 3, { observedGeneration: 3, readyReplicas: 1, updatedReplicas: 2 }))).toBe(false);
    expect(deploymentStatusReady(deployment(2, 3, { observedGeneration: 3, readyReplicas: 2, updatedReplicas: 1 }))).toBe(false);
    expect(deploymentStatusReady(deployment(2, 4, { observedGeneration: 3, readyReplicas: 2, updatedReplicas: 2 }))).toBe(false);
    expect(deploymentStatusReady(deployment(1, 1, undefined))).toBe(false);
  });
});
