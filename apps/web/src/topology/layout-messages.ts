/** What the page sends the ELK worker, and what it answers. */
export interface LayoutRequest {
  requestId: number;
  /** `group`: the namespace box the node sits in (laid out inside it), when boxes are on. */
  nodes: { id: string; width: number; height: number; group?: string }[];
  edges: { id: string; source: string; target: string }[];
}

export interface LayoutResponse {
  requestId: number;
  /** Top-left corners; a grouped node's is relative to its box, as React Flow's `parentId` expects. */
  positions: Record<string, { x: number; y: number }>;
  /** Namespace boxes: position and size, keyed by group name. */
  groups: Record<string, { x: number; y: number; width: number; height: number }>;
  error?: string;
}
