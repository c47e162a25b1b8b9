import { certificateStatus, peerAuthenticationMode } from '@ambit/control-plane/topology';
import { summarizeProxies } from '@ambit/control-plane/xds';
import { dnsLabel } from '@ambit/shared';
import { AmbitError } from '@ambit/shared/errors';
import { z } from 'zod';
import { meshOverview } from '../mesh/overview';
import { router, viewerProcedure } from '../trpc';

const workloadInput = z.strictObject({ namespace: dnsLabel, name: z.string().min(1).max(253) });

/** The overview page's numbers, and one workload as the mesh sees it: from the registry snapshot, the xDS server and the CA. */
export const meshRouter = router({
  overview: viewerProcedure.input(z.void()).query(({ ctx }) => {
    const { registry, xds } = ctx.services.controlPlane;
    return meshOverview(registry.snapshot(), summarizeProxies(xds.listProxies()));
  }),
  /**
   * One pod as the mesh sees it: identity, node, its current certificate (from the CA's issuance
   * ledger) with rotation health, its waypoint, and the policies that apply to it.
   */
  workload: viewerProcedure.input(workloadInput).query(({ ctx, input }) => {
    const { registry, ca } = ctx.services.controlPlane;
    const snapshot = registry.snapshot();
    const pod = [...snapshot.workloads.values()].find((w) => w.namespace === input.namespace && w.name === input.name);
    if (!pod) throw new AmbitError('NotFound', `workload ${input.namespace}/${input.name} is not in the mesh registry`);
    const services = Object.keys(pod.services);
    const serviceWaypoints = services.map((key) => snapshot.services.get(key)?.waypoint?.key).filter((key) => key !== undefined);
    const waypointKeys = new Set([pod.waypoint?.key, ...serviceWaypoints]);
    // The pod's own binding serves traffic addressed to it; its services' waypoint serves traffic to the service.
    const serviceWaypoint = serviceWaypoints[0];
    const waypoint = pod.waypoint
      ? { key: pod.waypoint.key, source: pod.waypoint.source }
      : serviceWaypoint
        ? { key: serviceWaypoint, source: 'service' as const }
        : null;
    const records = pod.node ? ca.issuedCertificates().filter((r) => r.identity === pod.identity && r.node === pod.node) : [];
    const peerAuthentication = peerAuthenticationMode(snapshot, pod.namespace, pod.labels);
    return {
      namespace: pod.namespace,
      name: pod.name,
      workloadName: pod.workloadName,
      app: pod.canonicalName,
      version: pod.canonicalRevision,
      node: pod.node ?? null,
      identity: pod.identity,
      serviceAccount: pod.serviceAccount,
      addresses: [...pod.addresses],
      ambient: pod.ambient,
      services,
      waypoint,
      waypointProblem: pod.waypointProblem ?? null,
      certificate: { ...certificateStatus(records, Date.now()), history: records.map((r) => ({ serial: r.serial, notAfter: r.notAfter })) },
      policies: {
        peerAuthentication,
        /** AuthorizationPolicies the node's ztunnel enforces for this pod. */
        ztunnel: [...(snapshot.policies.workloadPolicies.get(pod.uid) ?? [])],
        /** targetRef policies its waypoints enforce: on its services, and on the waypoint itself. */
        waypoint: [
          ...new Set([
            ...services.flatMap((key) => snapshot.policies.servicePolicies.get(key) ?? []),
            ...[...waypointKeys].flatMap((key) => (key ? (snapshot.policies.waypointPolicies.get(key) ?? []) : [])),
          ]),
        ].sort(),
      },
    };
  }),
});
