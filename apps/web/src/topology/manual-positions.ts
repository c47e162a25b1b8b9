/**
 * Where the user dragged nodes, per graph type, kept in sessionStorage so live refreshes, re-layouts and reloads
 * leave them where they were put (a thousand positions would not fit in a link). Positions are relative to the
 * node's namespace box, as the layout gives them, so they hold with boxes shown or not.
 */
export interface Point {
  x: number;
  y: number;
}

type PositionStorage = Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;

const PREFIX = 'ambit.topology.positions.';

export function loadManualPositions(storage: PositionStorage | undefined, graphType: string): Map<string, Point> {
  const positions = new Map<string, Point>();
  const text = storage?.getItem(PREFIX + graphType);
  if (!text) return positions;
  try {
    const parsed: unknown = JSON.parse(text);
    if (!parsed || typeof parsed !== 'object') return positions;
    for (const [id, value] of Object.entries(parsed)) {
      const { x, y } = (value ?? {}) as Partial<Point>;
      if (Number.isFinite(x) && Number.isFinite(y)) positions.set(id, { x: x as number, y: y as number });
    }
  } catch {
    // A damaged entry is as good as none: the layout places every node.
  }
  return positions;
}

export function saveManualPositions(storage: PositionStorage | undefined, graphType: string, positions: ReadonlyMap<string, Point>): void {
  if (!storage) return;
  if (positions.size === 0) storage.removeItem(PREFIX + graphType);
  else storage.setItem(PREFIX + graphType, JSON.stringify(Object.fromEntries(positions)));
}

/** sessionStorage, or undefined where there is none (server rendering, storage disabled). */
export function sessionPositionStorage(): PositionStorage | undefined {
  try {
    return typeof sessionStorage === 'undefined' ? undefined : sessionStorage;
  } catch {
    return undefined;
  }
}
