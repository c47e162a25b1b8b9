/**
 * EDS → the endpoints of one cluster: an envoy.config.endpoint.v3.ClusterLoadAssignment as
 * protobufjs' `toObject` gives it, with the workload each endpoint is (Ambit's `ambit.dev/workload`
 * endpoint metadata: uid, identity, node), as the control plane's translator writes it.
 */
import { type StructMessage, structToJson, WORKLOAD_METADATA } from '@ambit/shared/xds';

export interface AssignedEndpoint {
  address: string;
  port: number;
  /** HEALTHY or UNKNOWN health status (Envoy routes to both). */
  healthy: boolean;
  /** From the endpoint metadata, when the control plane sent it. */
  uid?: string;
  identity?: string;
  node?: string;
}

export interface LoadAssignment {
  clusterName: string;
  endpoints: AssignedEndpoint[];
}

type Json = Record<string, unknown>;

function object(value: unknown): Json {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Json) : {};
}

function list(value: unknown): readonly unknown[] {
  return Array.isArray(value) ? value : [];
}

export function decodeClusterLoadAssignment(assignment: Json): LoadAssignment {
  const endpoints: AssignedEndpoint[] = [];
  for (const locality of list(assignment.endpoints)) {
    for (const raw of list(object(locality).lbEndpoints)) {
      const lb = object(raw);
      const socket = object(object(object(lb.endpoint).address).socketAddress);
      const address = typeof socket.address === 'string' ? socket.address : undefined;
      const port = Number(socket.portValue ?? 0);
      if (!address || !port) continue;
      const status = typeof lb.healthStatus === 'string' ? lb.healthStatus : 'UNKNOWN';
      const endpoint: AssignedEndpoint = { address, port, healthy: status === 'HEALTHY' || status === 'UNKNOWN' };
      const workload = object(object(lb.metadata).filterMetadata)[WORKLOAD_METADATA];
      if (workload !== undefined) {
        const described = structToJson(workload as StructMessage);
        if (typeof described.uid === 'string') endpoint.uid = described.uid;
        if (typeof described.identity === 'string') endpoint.identity = described.identity;
        if (typeof described.node === 'string') endpoint.node = described.node;
      }
      endpoints.push(endpoint);
    }
  }
  return { clusterName: typeof assignment.clusterName === 'string' ? assignment.clusterName : '', endpoints };
}
