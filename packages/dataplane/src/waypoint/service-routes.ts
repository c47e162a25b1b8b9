/**
 * The per-service views a request needs, derived from config and state on first use after a
 * change: the prepared route table of a service port (regexes compiled once) and the prepared
 * L7 policies that apply to a service at this waypoint.
 */
import { type PreparedPolicy, prepareAuthorization, selectTargetedPolicies, waypointPolicyTargets } from '@ambit/shared/authz';
import { defaultServiceRoute, type PreparedRouteTable, prepareRouteTable } from '@ambit/shared/routing';
import type { RouteFault } from '@ambit/shared/xds';
import type { Service } from '../state/service';
import type { WaypointConfig } from './config';
import type { FaultScope } from './fault';

export interface PortRoutes {
  readonly table: PreparedRouteTable;
  readonly faults: ReadonlyMap<FaultScope, RouteFault>;
}

const NO_FAULTS: ReadonlyMap<FaultScope, RouteFault> = new Map();

export class ServiceRoutes {
  /** By service object and port: no key string is built per request. */
  private ports = new WeakMap<Service, Map<number, PortRoutes>>();
  private readonly policies = new Map<string, readonly PreparedPolicy[]>();
  constructor(
    private readonly config: WaypointConfig,
    /** The waypoint's Gateway. */
    private readonly gateway: { namespace: string; name: string },
    private readonly rootNamespace: string,
  ) {}

  /** Forgets derived views; call on any config or state change. */
  invalidate(): void {
    this.ports = new WeakMap();
    this.policies.clear();
  }

  routesFor(service: Service, port: number): PortRoutes {
    let byPort = this.ports.get(service);
    if (!byPort) {
      byPort = new Map();
      this.ports.set(service, byPort);
    }
    let routes = byPort.get(port);
    if (!routes) {
      const table = this.config.routeTable(`${service.hostname}:${port}`);
      routes =
        table && !table.unrouted
          ? { table: prepareRouteTable(table.routes), faults: table.faults }
          : { table: prepareRouteTable([defaultServiceRoute(service, port)]), faults: NO_FAULTS };
      byPort.set(port, routes);
    }
    return routes;
  }

  /** Policies whose targetRefs name this waypoint (its Gateway or GatewayClass) or the service. */
  policiesFor(service: Service): readonly PreparedPolicy[] {
    let prepared = this.policies.get(service.key);
    if (!prepared) {
      const targets = waypointPolicyTargets(this.gateway, service);
      prepared = selectTargetedPolicies(this.config.targetedPolicies(), targets, { rootNamespace: this.rootNamespace }).map(
        prepareAuthorization,
      );
      this.policies.set(service.key, prepared);
    }
    return prepared;
  }
}
