import { z } from 'zod';
import { anyStatus, dnsLabel, labelMap, objectMeta, objectSchema, port } from './meta';

/**
 * Core Kubernetes kinds (v1). Only the fields the mesh reads are typed; every other field is kept
 * as written (a Service's `type`, a Pod's `volumes`), so real manifests apply unchanged.
 */

export const namespaceSchema = z.looseObject({
  apiVersion: z.string(),
  kind: z.literal('Namespace'),
  metadata: objectMeta,
  spec: z.looseObject({}).optional(),
  status: anyStatus.optional(),
});

const intOrString = z.union([z.number().int(), z.string().min(1)]);

export const servicePortSchema = z.looseObject({
  name: dnsLabel.optional(),
  port,
  targetPort: intOrString.optional(),
  protocol: z.enum(['TCP', 'UDP', 'SCTP']).optional(),
  appProtocol: z.string().optional(),
});

export const serviceSchema = objectSchema(
  'Service',
  z.looseObject({
    selector: z.record(z.string(), z.string()).optional(),
    ports: z.array(servicePortSchema).optional(),
    type: z.enum(['ClusterIP', 'NodePort', 'LoadBalancer', 'ExternalName']).optional(),
    clusterIP: z.string().optional(),
  }),
  anyStatus,
);

export const serviceAccountSchema = z.looseObject({
  apiVersion: z.string(),
  kind: z.literal('ServiceAccount'),
  metadata: objectMeta,
});

export const envVarSchema = z.looseObject({
  name: z.string().min(1),
  value: z.string().optional(),
  valueFrom: z.looseObject({}).optional(),
});

export const containerSchema = z.looseObject({
  name: dnsLabel,
  image: z.string().min(1).optional(),
  command: z.array(z.string()).optional(),
  args: z.array(z.string()).optional(),
  env: z.array(envVarSchema).optional(),
  ports: z
    .array(
      z.looseObject({
        containerPort: port,
        name: z.string().optional(),
        protocol: z.enum(['TCP', 'UDP', 'SCTP']).optional(),
      }),
    )
    .optional(),
});

export const podSpecSchema = z.looseObject({
  serviceAccountName: z.string().optional(),
  nodeName: z.string().optional(),
  containers: z.array(containerSchema).min(1, 'a pod needs at least one container'),
});

export const podStatusSchema = z.looseObject({
  phase: z.enum(['Pending', 'Running', 'Succeeded', 'Failed', 'Unknown']).optional(),
  podIP: z.string().optional(),
  podIPs: z.array(z.looseObject({ ip: z.string() })).optional(),
  hostIP: z.string().optional(),
  startTime: z.string().optional(),
  containerStatuses: z.array(z.looseObject({})).optional(),
});

export const podSchema = objectSchema('Pod', podSpecSchema, podStatusSchema);

export const nodeSchema = z.looseObject({
  apiVersion: z.string(),
  kind: z.literal('Node'),
  metadata: objectMeta,
  spec: z.looseObject({}).optional(),
  status: z
    .looseObject({
      addresses: z.array(z.looseObject({ type: z.string(), address: z.string() })).optional(),
      conditions: z.array(z.looseObject({})).optional(),
    })
    .optional(),
});

export const podTemplateSchema = z.looseObject({
  metadata: z.looseObject({ labels: labelMap.optional(), annotations: z.record(z.string(), z.string()).optional() }).optional(),
  spec: podSpecSchema,
});

export type Namespace = z.infer<typeof namespaceSchema>;
export type Service = z.infer<typeof serviceSchema>;
export type ServicePort = z.infer<typeof servicePortSchema>;
export type ServiceAccount = z.infer<typeof serviceAccountSchema>;
export type Pod = z.infer<typeof podSchema>;
export type Node = z.infer<typeof nodeSchema>;
export type Container = z.infer<typeof containerSchema>;
