import ELK from 'elkjs/lib/elk.bundled.js';
import { elkGraph, layoutPositions } from './elk-graph';
import type { LayoutRequest, LayoutResponse } from './layout-messages';

// Layout runs here, off the main thread, so a thousand-node graph does not freeze pan and zoom.
const elk = new ELK();

addEventListener('message', (event: MessageEvent<LayoutRequest>) => {
  const { requestId } = event.data;
  elk
    .layout(elkGraph(event.data))
    .then((laid) => postMessage(layoutPositions(laid, requestId) satisfies LayoutResponse))
    .catch((error: unknown) => {
      const message = error instanceof Error ? error.message : String(error);
      postMessage({ requestId, positions: {}, groups: {}, error: message } satisfies LayoutResponse);
    });
});
