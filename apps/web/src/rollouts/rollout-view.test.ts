import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { createElement, type ReactNode } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it, vi } from 'vitest';
import type { RolloutDetail } from './rollout-types';
import { RolloutView } from './rollout-view';

// The page's links need no router to render.
vi.mock('next/link', () => ({
  default: ({ href, children }: { href: string; children: ReactNode }) => createElement('a', { href }, children),
}));

const check = (name: string, value: number | null, passed: boolean, message: string) => ({
  name,
  kind: 'metric' as const,
  value,
  passed,
  message,
});

/** A run aborted at 20 %, as rollouts.get answers it. */
const FAILED = {
  namespace: 'demo',
  name: 'reviews-v1',
  target: 'reviews-v1',
  service: 'reviews',
  strategy: 'canary',
  phase: 'Failed',
  canaryWeight: 0,
  primaryWeight: 100,
  failedChecks: 1,
  threshold: 5,
  iterations: 0,
  maxIterations: null,
  suspended: false,
  gate: null,
  revision: 'abc',
  lastTransitionTime: '2026-11-27T03:00:30Z',
  resourceVersion: '9',
  canary: { spec: { analysis: { metrics: [{ name: 'request-success-rate', thresholdRange: { min: 99 } }] } } },
  steps: [10, 20, 30],
  intervalSeconds: 10,
  nextTickAt: null,
  conditions: [{ type: 'Promoted', status: 'False', reason: 'Failed', message: 'Canary analysis failed, Deployment scaled to zero.' }],
  events: [
    {
      time: '2026-11-27T03:00:20Z',
      type: 'Warning',
      reason: 'Synced',
      message: 'Halt demo/reviews-v1 advancement request-success-rate 80% < 99%',
    },
    {
      time: '2026-11-27T03:00:30Z',
      type: 'Warning',
      reason: 'Synced',
      message: 'Rolling back demo/reviews-v1 manually (requested by admin)',
    },
  ],
  history: [
    { time: '2026-11-27T03:00:00Z', phase: 'Progressing', canaryWeight: 10, failedChecks: 0, iterations: 0, checks: [] },
    {
      time: '2026-11-27T03:00:10Z',
      phase: 'Progressing',
      canaryWeight: 20,
      failedChecks: 0,
      iterations: 0,
      checks: [check('request-success-rate', 100, true, 'request-success-rate 100%')],
    },
    {
      time: '2026-11-27T03:00:20Z',
      phase: 'Progressing',
      canaryWeight: 20,
      failedChecks: 1,
      iterations: 0,
      checks: [check('request-success-rate', 80, false, 'request-success-rate 80% < 99%')],
    },
    { time: '2026-11-27T03:00:30Z', phase: 'Failed', canaryWeight: 0, failedChecks: 1, iterations: 0, checks: [] },
  ],
  lastChecks: [],
  approvals: [],
  route: {
    name: 'reviews',
    backends: [
      { name: 'reviews-primary', weight: 100 },
      { name: 'reviews-canary', weight: 0 },
    ],
  },
} as unknown as RolloutDetail;

function render(rollout: RolloutDetail, operator: boolean): string {
  const client = new QueryClient();
  return renderToStaticMarkup(createElement(QueryClientProvider, { client }, createElement(RolloutView, { rollout, operator })));
}

describe('RolloutView', () => {
  it('shows a finished, aborted run as failed with its reason, the step it failed on, and all traffic on the primary', () => {
    const html = render(FAILED, true);
    expect(html).toContain('Run failed: Rolling back demo/reviews-v1 manually (requested by admin)');
    expect(html).toMatch(/data-state="done"[^>]*>.*?10%/);
    expect(html).toMatch(/data-state="failed"[^>]*>.*?20%/);
    expect(html).toContain('data-testid="rollout-weights">100 / 0<');
    // The failed check with its reason, and the threshold line on the success-rate chart.
    expect(html).toContain('request-success-rate 80% &lt; 99%');
    expect(html).toContain('min 99%');
    // A failed run can be retried, not aborted or promoted.
    expect(html).toContain('>Retry<');
    expect(html).not.toContain('Abort (roll back)');
    expect(html).not.toContain('Promote now');
  });

  it('offers no action to a viewer', () => {
    const html = render(FAILED, false);
    expect(html).not.toContain('aria-label="Actions"');
    expect(html).not.toContain('>Retry<');
  });

  it('offers promote, pause and abort while a run progresses', () => {
    const html = render({ ...FAILED, phase: 'Progressing', canaryWeight: 20, primaryWeight: 80 } as RolloutDetail, true);
    for (const label of ['Promote now', 'Pause', 'Abort (roll back)']) expect(html).toContain(`>${label}<`);
    expect(html).not.toContain('Run failed');
    expect(html).toMatch(/data-state="current"[^>]*>.*?20%/);
  });
});
