/** What the page sends the ELK worker, and what it answers. */
export interface LayoutRequest {
  requestId: number;
  nodes: { id: string; width: number; height: number }[];
  edges: { id: string; source: string; target: string }[];
}

export interface LayoutResponse {
  requestId: number;
  positions: Record<string, { x: number; y: number }>;
  error?: string;
}
