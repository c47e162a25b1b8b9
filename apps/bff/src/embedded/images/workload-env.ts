/**
 * What the embedded mesh tells a workload process about itself, the way a kubelet would: its pod
 * identity and address (the downward API) and the services it can reach (`<SVC>_SERVICE_HOST`).
 */
export interface WorkloadEnv {
  podName: string;
  namespace: string;
  /** The pod's own loopback address: it listens on it and dials from it, so ztunnel knows who it is. */
  podIp: string;
  /** The port the container listens on. */
  port: number;
  app: string;
  version: string;
  serviceName: string;
}

function required(env: NodeJS.ProcessEnv, name: string): string {
  const value = env[name];
  if (!value) throw new Error(`${name} is not set; workloads are started by the embedded mesh (ambit up)`);
  return value;
}

export function readWorkloadEnv(env: NodeJS.ProcessEnv = process.env): WorkloadEnv {
  return {
    podName: required(env, 'POD_NAME'),
    namespace: required(env, 'POD_NAMESPACE'),
    podIp: required(env, 'POD_IP'),
    port: Number(env.PORT ?? 9080),
    app: env.APP ?? env.SERVICE_NAME ?? 'app',
    version: env.VERSION ?? 'v1',
    serviceName: env.SERVICE_NAME ?? env.APP ?? 'app',
  };
}

/** `reviews` → the address and port from REVIEWS_SERVICE_HOST/PORT, as Kubernetes injects them. */
export function serviceAddress(service: string, env: NodeJS.ProcessEnv = process.env): { host: string; port: number } {
  const prefix = service.toUpperCase().replace(/[-.]/g, '_');
  const host = env[`${prefix}_SERVICE_HOST`];
  if (!host) throw new Error(`${prefix}_SERVICE_HOST is not set: service "${service}" is not known to this workload`);
  return { host, port: Number(env[`${prefix}_SERVICE_PORT`] ?? 9080) };
}
