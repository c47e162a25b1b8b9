import ELK from 'elkjs/lib/elk.bundled.js';
import type { LayoutRequest, LayoutResponse } from './layout-messages';

// Layout runs here, off the main thread, so a thousand-node graph does not freeze pan and zoom.
const elk = new ELK();

addEventListener('message', (event: MessageEvent<LayoutRequest>) => {
  const { requestId, nodes, edges } = event.data;
  elk
    .layout({
      id: 'root',
      layoutOptions: {
        'elk.algorithm': 'layered',
        'elk.direction': 'RIGHT',
        'elk.spacing.nodeNode': '30',
        'elk.layered.spacing.nodeNodeBetweenLayers': '90',
        'elk.edgeRouting': 'SPLINES',
      },
      children: nodes.map((n) => ({ id: n.id, width: n.width, height: n.height })),
      edges: edges.map((e) => ({ id: e.id, sources: [e.source], targets: [e.target] })),
    })
    .then((laid) => {
      const positions: LayoutResponse['positions'] = {};
      for (const child of laid.children ?? []) positions[child.id] = { x: child.x ?? 0, y: child.y ?? 0 };
      postMessage({ requestId, positions } satisfies LayoutResponse);
    })
    .catch((error: unknown) => {
      postMessage({ requestId, positions: {}, error: error instanceof Error ? error.message : String(error) } satisfies LayoutResponse);
    });
});
