/**
 * What a waypoint knows besides the workload API (ProxyState): its route tables (RDS), endpoint
 * assignments (EDS) and the L7 authorization policies attached to it or to the services it serves
 * (Ambit's WaypointPolicy resources, keyed `<ns>/<name>`). xDS writes into it; the proxy only
 * reads it. Decoding errors throw, so the xDS client can NACK.
 */
import type { CompiledPolicyWithTarget } from '@ambit/shared/authz';
import { decodeClusterLoadAssignment, type LoadAssignment } from './load-assignment';
import { decodeRouteConfiguration, type WaypointRouteTable } from './route-config';

export type ConfigListener = () => void;

function policyKey(policy: CompiledPolicyWithTarget): string {
  return `${policy.target.namespace}/${policy.target.name}`;
}

export class WaypointConfig {
  private readonly tables = new Map<string, WaypointRouteTable>();
  private readonly assignments = new Map<string, LoadAssignment>();
  private readonly policies = new Map<string, CompiledPolicyWithTarget>();
  /** The policies as a list, rebuilt on change: every request's authorization reads it. */
  private policyList: readonly CompiledPolicyWithTarget[] = [];
  private readonly listeners = new Set<ConfigListener>();

  /** A route table by its RouteConfiguration name (`<hostname>:<port>`). */
  routeTable(name: string): WaypointRouteTable | undefined {
    return this.tables.get(name);
  }

  setRouteTable(table: WaypointRouteTable): void {
    this.tables.set(table.name, table);
    this.changed();
  }

  /** Decodes and stores an RDS resource (protobufjs toObject form); throws AmbitError when it cannot be honoured. */
  applyRouteConfiguration(config: Record<string, unknown>): WaypointRouteTable {
    const table = decodeRouteConfiguration(config);
    this.setRouteTable(table);
    return table;
  }

  removeRouteTable(name: string): void {
    if (this.tables.delete(name)) this.changed();
  }

  /** Endpoints of a cluster (`outbound|<port>||<hostname>`) from EDS; undefined: the workload API decides. */
  loadAssignment(clusterName: string): LoadAssignment | undefined {
    return this.assignments.get(clusterName);
  }

  setLoadAssignment(assignment: LoadAssignment): void {
    this.assignments.set(assignment.clusterName, assignment);
    this.changed();
  }

  applyClusterLoadAssignment(assignment: Record<string, unknown>): LoadAssignment {
    const decoded = decodeClusterLoadAssignment(assignment);
    this.setLoadAssignment(decoded);
    return decoded;
  }

  removeLoadAssignment(clusterName: string): void {
    if (this.assignments.delete(clusterName)) this.changed();
  }

  /** Applies a whole xDS update at once, telling listeners once. */
  update(change: {
    routes?: readonly WaypointRouteTable[];
    removedRoutes?: readonly string[];
    assignments?: readonly LoadAssignment[];
    removedAssignments?: readonly string[];
    /** Keyed `<ns>/<name>`, as WaypointPolicy resources are. */
    policies?: readonly CompiledPolicyWithTarget[];
    removedPolicies?: readonly string[];
  }): void {
    for (const name of change.removedRoutes ?? []) this.tables.delete(name);
    for (const table of change.routes ?? []) this.tables.set(table.name, table);
    for (const name of change.removedAssignments ?? []) this.assignments.delete(name);
    for (const assignment of change.assignments ?? []) this.assignments.set(assignment.clusterName, assignment);
    if (change.policies || change.removedPolicies) {
      for (const name of change.removedPolicies ?? []) this.policies.delete(name);
      for (const policy of change.policies ?? []) this.policies.set(policyKey(policy), policy);
      this.policyList = [...this.policies.values()];
    }
    this.changed();
  }

  /** Every policy with its targetRefs; the waypoint picks those aimed at it or at a service it serves. */
  targetedPolicies(): readonly CompiledPolicyWithTarget[] {
    return this.policyList;
  }

  /** Replaces every policy. */
  setPolicies(policies: readonly CompiledPolicyWithTarget[]): void {
    this.update({ policies, removedPolicies: [...this.policies.keys()] });
  }

  onChange(listener: ConfigListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** What the waypoint runs, as JSON for a config dump (faults listed by the route or backend they apply to). */
  dump(): Record<string, unknown> {
    const routes = [...this.tables.values()].map((table) => ({
      name: table.name,
      unrouted: table.unrouted,
      routes: table.routes,
      faults: [...table.faults].map(([scope, fault]) => ('source' in scope ? { route: scope.source, fault } : { backend: scope, fault })),
    }));
    return { routes, endpoints: [...this.assignments.values()], policies: this.policyList };
  }

  private changed(): void {
    for (const listener of this.listeners) listener();
  }
}
