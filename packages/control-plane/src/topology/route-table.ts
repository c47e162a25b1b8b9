/**
 * Remembers, per kind of report and per peer labels, what was decided for the first sample with
 * those labels (the route its numbers take through the graph). Tens of thousands of samples
 * share a few thousand peer label sets. Looking them up by source and destination workload, then
 * comparing the few other peer labels, allocates nothing, where a joined key string per sample
 * would.
 */
import type { SeriesLabels } from '../telemetry/index';

interface Leaf<T> {
  service: string | undefined;
  serviceNamespace: string | undefined;
  sourceNamespace: string | undefined;
  destinationNamespace: string | undefined;
  sourceApp: string | undefined;
  sourceVersion: string | undefined;
  destinationApp: string | undefined;
  destinationVersion: string | undefined;
  sourcePrincipal: string | undefined;
  value: T;
}

function matches<T>(leaf: Leaf<T>, l: SeriesLabels, byPrincipal: boolean): boolean {
  return (
    leaf.service === l.destination_service &&
    (!byPrincipal || leaf.sourcePrincipal === l.source_principal) &&
    leaf.sourceNamespace === l.source_workload_namespace &&
    leaf.destinationNamespace === l.destination_workload_namespace &&
    leaf.serviceNamespace === l.destination_service_namespace &&
    leaf.sourceApp === l.source_canonical_service &&
    leaf.sourceVersion === l.source_canonical_revision &&
    leaf.destinationApp === l.destination_canonical_service &&
    leaf.destinationVersion === l.destination_canonical_revision
  );
}

/** kind → source workload → destination workload → the label sets seen with them. */
export class RouteTable<T> {
  private readonly roots = new Map<string, Map<string, Map<string, Leaf<T>[]>>>();

  /** `byPrincipal`: the source principal tells label sets apart too (what a report is may depend on it). */
  constructor(private readonly byPrincipal = false) {}

  /** The value remembered for `kind` and these peer labels, if any. */
  get(kind: string, l: SeriesLabels): T | undefined {
    const leaves = this.roots
      .get(kind)
      ?.get(l.source_workload ?? '')
      ?.get(l.destination_workload ?? '');
    if (!leaves) return undefined;
    for (let i = 0; i < leaves.length; i++) {
      const leaf = leaves[i] as Leaf<T>;
      if (matches(leaf, l, this.byPrincipal)) return leaf.value;
    }
    return undefined;
  }

  set(kind: string, l: SeriesLabels, value: T): void {
    let bySource = this.roots.get(kind);
    if (!bySource) {
      bySource = new Map();
      this.roots.set(kind, bySource);
    }
    const source = l.source_workload ?? '';
    let byDestination = bySource.get(source);
    if (!byDestination) {
      byDestination = new Map();
      bySource.set(source, byDestination);
    }
    const destination = l.destination_workload ?? '';
    const leaf: Leaf<T> = {
      service: l.destination_service,
      serviceNamespace: l.destination_service_namespace,
      sourceNamespace: l.source_workload_namespace,
      destinationNamespace: l.destination_workload_namespace,
      sourceApp: l.source_canonical_service,
      sourceVersion: l.source_canonical_revision,
      destinationApp: l.destination_canonical_service,
      destinationVersion: l.destination_canonical_revision,
      sourcePrincipal: l.source_principal,
      value,
    };
    // Most pairs of workloads have one label set: a list made for it holds just that one.
    const leaves = byDestination.get(destination);
    if (leaves) leaves.push(leaf);
    else byDestination.set(destination, [leaf]);
  }
}
