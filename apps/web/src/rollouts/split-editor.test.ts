import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { type SplitBackend, SplitEditor } from './split-editor';

const BACKENDS: SplitBackend[] = [
  { name: 'reviews-v1', label: 'reviews-v1 (v1)', current: 50, measured: 89.6, requestsPerSecond: 4.5, successRate: 100, p99Ms: 12.4 },
  { name: 'reviews-v2', label: 'reviews-v2 (v2)', current: 50, measured: null, requestsPerSecond: null, successRate: null, p99Ms: null },
];

function render(editable: boolean): string {
  return renderToStaticMarkup(createElement(SplitEditor, { backends: BACKENDS, weights: [90, 10], editable, onChange: () => {} }));
}

describe('SplitEditor', () => {
  it('shows each backend’s slider at its new weight beside what the route has now and what was measured', () => {
    const html = render(true);
    expect(html).toMatch(/<input id="weight-reviews-v1" type="range"[^>]*value="90"/);
    expect(html).toMatch(/<input id="weight-reviews-v2" type="range"[^>]*value="10"/);
    expect(html).toContain('in the route now: 50%');
    expect(html).toContain('data-testid="measured-share">89.6%<');
    expect(html).toContain('p99 12 ms');
    // No data is a dash, not a zero.
    expect(html).toContain('data-testid="measured-share">—<');
    expect(html).toContain('Total 100%');
  });

  it('gives a viewer the same numbers with every control disabled', () => {
    const html = render(false);
    expect(html.match(/<input [^>]*disabled=""/g)).toHaveLength(4);
  });
});
