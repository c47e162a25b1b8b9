import { describe, expect, it } from 'vitest';
import { DEFAULT_VIEW, parseViewState, serializeViewState } from './view-state';

describe('topology view state in the URL', () => {
  it('a link with window, graph type, labels and node opens the same view', () => {
    const state = { window: '1h', graphType: 'service', labels: 'security', node: 'demo/reviews-v2' } as const;
    expect(parseViewState(new URLSearchParams(serializeViewState(state)))).toEqual(state);
  });

  it('reloading ?window=15m keeps the window and defaults the rest', () => {
    expect(parseViewState(new URLSearchParams('window=15m'))).toEqual({ ...DEFAULT_VIEW, window: '15m' });
  });

  it('a hand-edited link with unknown values still opens, with the defaults', () => {
    expect(parseViewState(new URLSearchParams('window=7y&graph=nope&labels=<script>'))).toEqual(DEFAULT_VIEW);
  });

  it('the default view has a short, empty query', () => {
    expect(serializeViewState(DEFAULT_VIEW)).toBe('');
  });
});
