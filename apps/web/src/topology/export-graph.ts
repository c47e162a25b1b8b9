import { toPng, toSvg } from 'html-to-image';
import { downloadText, fileStamp } from '../components/download';
import type { FullTopologyGraph, GraphStamp } from './graph-shape';
import { clearMotion } from './view-motion';

function baseName(graph: GraphStamp): string {
  return `ambit-topology-${graph.graphType}-${graph.window.seconds}s-${fileStamp(graph.timestamp)}`;
}

/** Downloads the graph as shown (same nodes and edges, with their numbers) as a JSON file. */
export function downloadGraphJson(graph: FullTopologyGraph): void {
  downloadText(`${baseName(graph)}.json`, 'application/json', JSON.stringify(graph, null, 2));
}

/** The zoom and fit buttons are controls, not part of the picture. */
function isPicture(node: HTMLElement): boolean {
  return !node.classList?.contains('react-flow__controls') && !node.classList?.contains('react-flow__panel');
}

/** Downloads the canvas as it is on screen (the current pan and zoom) as a PNG or SVG picture. */
export async function downloadGraphImage(canvas: HTMLElement, graph: GraphStamp, format: 'png' | 'svg'): Promise<void> {
  // A big graph hides its edges while the view zooms: the picture is taken of everything, as at rest.
  clearMotion(canvas);
  const background = getComputedStyle(canvas).getPropertyValue('--panel').trim() || '#ffffff';
  const options = { filter: isPicture, backgroundColor: background, cacheBust: false };
  const url = format === 'png' ? await toPng(canvas, { ...options, pixelRatio: 1 }) : await toSvg(canvas, options);
  const link = document.createElement('a');
  link.href = url;
  link.download = `${baseName(graph)}.${format}`;
  link.click();
}
