import type { CompiledRoute } from './types';

/**
 * The waypoint's route of a service port no HTTPRoute governs: every request to the service
 * itself, on the port it was addressed to. The waypoint serves it and the simulator predicts it.
 */
export function defaultServiceRoute(service: { name: string; namespace: string }, port: number): CompiledRoute {
  return {
    match: { path: { type: 'PathPrefix', value: '/' }, headers: [], queryParams: [] },
    source: { route: 'default', ruleIndex: 0, matchIndex: 0 },
    action: {
      type: 'Forward',
      backends: [{ group: '', kind: 'Service', name: service.name, namespace: service.namespace, port, weight: 1, filters: [] }],
      filters: [],
      timeouts: {},
    },
  };
}
