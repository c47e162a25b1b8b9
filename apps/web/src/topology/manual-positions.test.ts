import { describe, expect, it } from 'vitest';
import { loadManualPositions, saveManualPositions } from './manual-positions';

function memoryStorage() {
  const items = new Map<string, string>();
  return {
    items,
    getItem: (key: string) => items.get(key) ?? null,
    setItem: (key: string, value: string) => void items.set(key, value),
    removeItem: (key: string) => void items.delete(key),
  };
}

describe('manual node positions', () => {
  it('a dragged node comes back where it was put, for the same graph type only', () => {
    const storage = memoryStorage();
    saveManualPositions(storage, 'workload', new Map([['wl:demo/reviews-v2', { x: 120, y: -40 }]]));
    expect(loadManualPositions(storage, 'workload')).toEqual(new Map([['wl:demo/reviews-v2', { x: 120, y: -40 }]]));
    expect(loadManualPositions(storage, 'service').size).toBe(0);
  });

  it('a damaged entry or bad numbers are ignored, not fatal', () => {
    const storage = memoryStorage();
    storage.setItem('ambit.topology.positions.workload', '{not json');
    expect(loadManualPositions(storage, 'workload').size).toBe(0);
    storage.setItem('ambit.topology.positions.workload', JSON.stringify({ a: { x: 'left', y: 3 }, b: { x: 1, y: 2 } }));
    expect(loadManualPositions(storage, 'workload')).toEqual(new Map([['b', { x: 1, y: 2 }]]));
  });

  it('resetting saves nothing and clears the entry; no storage is no error', () => {
    const storage = memoryStorage();
    saveManualPositions(storage, 'workload', new Map([['a', { x: 1, y: 2 }]]));
    saveManualPositions(storage, 'workload', new Map());
    expect(storage.items.size).toBe(0);
    expect(loadManualPositions(undefined, 'workload').size).toBe(0);
  });
});
