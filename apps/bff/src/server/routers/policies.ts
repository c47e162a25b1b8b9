import {
  FlowCollector,
  generateLeastPrivilegePolicies,
  impactOfDraft,
  proxyFlowTargets,
  snapshotWithDraft,
} from '@ambit/control-plane/flows/index';
import { REGISTRY_KINDS } from '@ambit/control-plane/registry';
import { simulate, summarizePolicies } from '@ambit/control-plane/simulate/index';
import { dnsLabel, type KubeObject, MAX_OBJECT_BYTES, readManifests } from '@ambit/shared';
import { z } from 'zod';
import type { BffControlPlane } from '../context';
import { analyzeMesh } from '../mesh/analysis';
import { router, viewerProcedure } from '../trpc';

/**
 * Policy administration: the policies and where they act, the simulator (the proxies' own
 * evaluators over the registry snapshot), and previews over the traffic the proxies recorded —
 * which flows a draft would flip, and least-privilege policies drawn from them. Nothing here
 * writes: edited or generated YAML is applied with resources.applyManifests.
 */

const windowMs = z.number().int().min(1_000).max(3_600_000).default(900_000);

export const simulateInput = z.strictObject({
  source: z.union([
    z.strictObject({ workload: z.string().min(1).max(300) }),
    z.strictObject({ principal: z.string().min(1).max(500).optional(), ip: z.ipv4().or(z.ipv6()).optional() }),
  ]),
  destination: z.union([z.strictObject({ service: z.string().min(1).max(300) }), z.strictObject({ workload: z.string().min(1).max(300) })]),
  port: z.number().int().min(1).max(65535),
  method: z
    .string()
    .regex(/^[A-Za-z]{1,32}$/, 'must be an HTTP method')
    .optional(),
  path: z.string().startsWith('/', 'must start with /').max(8192).optional(),
  host: z.string().min(1).max(512).optional(),
  headers: z.record(z.string().min(1).max(256), z.string().max(8192)).optional(),
});

// One collector per control plane: it keeps the window between calls.
const collectors = new WeakMap<BffControlPlane, FlowCollector>();

function collectorFor(controlPlane: BffControlPlane): FlowCollector {
  let collector = collectors.get(controlPlane);
  if (!collector) {
    collector = new FlowCollector({ targets: () => proxyFlowTargets(controlPlane.registry.snapshot()), windowMs: 3_600_000 });
    collectors.set(controlPlane, collector);
  }
  return collector;
}

async function recentFlows(controlPlane: BffControlPlane, window: number) {
  const collector = collectorFor(controlPlane);
  await collector.collect();
  return collector.flows(Date.now() - window);
}

function storedObjects(controlPlane: BffControlPlane): KubeObject[] {
  return REGISTRY_KINDS.flatMap((kind) => controlPlane.store.list(kind));
}

export const policiesRouter = router({
  /** Every AuthorizationPolicy and PeerAuthentication: scope, enforcement point, action, what it applies to, analysis messages. */
  list: viewerProcedure.input(z.strictObject({ namespace: dnsLabel.optional() }).optional()).query(({ ctx, input }) => {
    const { controlPlane } = ctx.services;
    const messages = analyzeMesh(controlPlane, input?.namespace ? { namespaces: [input.namespace] } : {});
    return {
      policies: summarizePolicies(controlPlane.registry.snapshot(), messages, input?.namespace ? { namespace: input.namespace } : {}),
    };
  }),

  /** One request through the mesh: the decision at each enforcement point, the deciding policy and rule, the route and backends. */
  simulate: viewerProcedure.input(simulateInput).query(({ ctx, input }) => simulate(ctx.services.controlPlane.registry.snapshot(), input)),

  /** The flows the proxies recorded (newest window), and how reading each proxy went. */
  flows: viewerProcedure
    .input(
      z
        .strictObject({
          sinceMs: z.number().int().min(0).optional(),
          namespace: dnsLabel.optional(),
          limit: z.number().int().min(1).max(5_000).default(500),
        })
        .optional(),
    )
    .query(async ({ ctx, input }) => {
      const collector = collectorFor(ctx.services.controlPlane);
      await collector.collect();
      const ns = input?.namespace;
      const inNamespace = (ref: string | undefined) => ref?.startsWith(`${ns}/`) === true;
      let flows = collector.flows(input?.sinceMs);
      if (ns) {
        flows = flows.filter(
          (f) => inNamespace(f.sourceWorkload) || inNamespace(f.destinationWorkload) || f.destinationService?.split('.')[1] === ns,
        );
      }
      return { flows: flows.slice(-(input?.limit ?? 500)), sources: collector.sources() };
    }),

  /** The recorded flows whose decision a draft (AuthorizationPolicy / PeerAuthentication YAML) would change. */
  impact: viewerProcedure
    .input(z.strictObject({ yaml: z.string().min(1).max(MAX_OBJECT_BYTES), namespace: dnsLabel.default('default'), windowMs }))
    .query(async ({ ctx, input }) => {
      const { controlPlane } = ctx.services;
      const draft = readManifests(input.yaml, 'the draft').map(({ object }) =>
        object.metadata.namespace ? object : { ...object, metadata: { ...object.metadata, namespace: input.namespace } },
      );
      const flows = await recentFlows(controlPlane, input.windowMs);
      const snapshot = controlPlane.registry.snapshot();
      return impactOfDraft(snapshot, snapshotWithDraft(storedObjects(controlPlane), draft, snapshot), draft, flows);
    }),

  /** Least-privilege ALLOW policies for a namespace from the traffic observed: a preview to edit, then apply. */
  generate: viewerProcedure.input(z.strictObject({ namespace: dnsLabel, windowMs })).query(async ({ ctx, input }) => {
    const { controlPlane } = ctx.services;
    const flows = await recentFlows(controlPlane, input.windowMs);
    return generateLeastPrivilegePolicies(input.namespace, flows, controlPlane.registry.snapshot());
  }),
});
