import { downloadText, fileStamp } from '../components/download';
import type { TopologyGraph } from './graph-shape';

/** Downloads the graph as shown (same nodes and edges, with their numbers) as a JSON file. */
export function downloadGraphJson(graph: TopologyGraph): void {
  const name = `ambit-topology-${graph.graphType}-${graph.window.seconds}s-${fileStamp(graph.timestamp)}.json`;
  downloadText(name, 'application/json', JSON.stringify(graph, null, 2));
}
