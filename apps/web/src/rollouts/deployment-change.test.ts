import { describe, expect, it } from 'vitest';
import { deploymentWithChange } from './deployment-change';

const deployment = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'reviews-v1', namespace: 'demo', resourceVersion: '42', labels: { app: 'reviews' }, uid: 'x' },
  spec: {
    replicas: 1,
    template: {
      metadata: { labels: { app: 'reviews', version: 'v1' } },
      spec: {
        containers: [
          { name: 'reviews', image: 'docker.io/istio/examples-bookinfo-reviews-v1:1.20.3', env: [{ name: 'LOG_DIR', value: '/tmp' }] },
        ],
      },
    },
  },
  status: { readyReplicas: 1 },
};

describe('deploymentWithChange', () => {
  it('replaces the image and sets env entries, keeping the rest and the resourceVersion, dropping status', () => {
    const changed = deploymentWithChange(deployment, {
      image: 'docker.io/istio/examples-bookinfo-reviews-v3:1.20.3',
      env: [
        { name: 'LOG_DIR', value: '/var/log' },
        { name: 'FAIL_RATE', value: '0.5' },
      ],
    });
    expect(changed).toEqual({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'reviews-v1', namespace: 'demo', labels: { app: 'reviews' }, resourceVersion: '42' },
      spec: {
        replicas: 1,
        template: {
          metadata: { labels: { app: 'reviews', version: 'v1' } },
          spec: {
            containers: [
              {
                name: 'reviews',
                image: 'docker.io/istio/examples-bookinfo-reviews-v3:1.20.3',
                env: [
                  { name: 'LOG_DIR', value: '/var/log' },
                  { name: 'FAIL_RATE', value: '0.5' },
                ],
              },
            ],
          },
        },
      },
    });
  });

  it('leaves the stored object untouched', () => {
    deploymentWithChange(deployment, { image: 'other', env: [] });
    expect(deployment.spec.template.spec.containers[0]?.image).toBe('docker.io/istio/examples-bookinfo-reviews-v1:1.20.3');
  });

  it('says so when there is no container to change', () => {
    expect(() => deploymentWithChange({ metadata: { name: 'empty' }, spec: {} }, { image: 'x', env: [] })).toThrow(/no container/);
  });
});
