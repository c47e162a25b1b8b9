import { describe, expect, it } from 'vitest';
import { DEFAULT_VIEW, parseViewState, serializeViewState } from './view-state';

describe('topology view state in the URL', () => {
  it('a link with window, graph type, labels and node opens the same view', () => {
    const state = { ...DEFAULT_VIEW, window: '1h', graphType: 'service', labels: 'security', node: 'demo/reviews-v2' } as const;
    expect(parseViewState(new URLSearchParams(serializeViewState(state)))).toEqual(state);
  });

  it('find and hide expressions, the replay time and the toggles survive a reload', () => {
    const state = {
      ...DEFAULT_VIEW,
      find: 'errors > 1% and ns = demo',
      hide: '!mtls',
      at: 1_790_000_000_000,
      animate: false,
      boxes: false,
    };
    const query = serializeViewState(state);
    expect(query).toBe('find=errors+%3E+1%25+and+ns+%3D+demo&hide=%21mtls&at=1790000000000&animate=0&boxes=0');
    expect(parseViewState(new URLSearchParams(query))).toEqual(state);
  });

  it('reloading ?window=15m keeps the window and defaults the rest', () => {
    expect(parseViewState(new URLSearchParams('window=15m'))).toEqual({ ...DEFAULT_VIEW, window: '15m' });
  });

  it('a hand-edited link with unknown values still opens, with the defaults', () => {
    expect(parseViewState(new URLSearchParams('window=7y&graph=nope&labels=<script>&at=-5&animate=maybe'))).toEqual(DEFAULT_VIEW);
  });

  it('the default view has a short, empty query', () => {
    expect(serializeViewState(DEFAULT_VIEW)).toBe('');
  });
});
