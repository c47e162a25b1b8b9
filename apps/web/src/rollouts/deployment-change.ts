/**
 * The change that starts a canary run: Flagger (and Ambit's controller) begins a rollout when the target
 * Deployment's pod template changes after the Canary initialized. The wizard applies it as a manifest,
 * so it lands in history like any other change.
 */

export interface ContainerChange {
  image?: string | undefined;
  env: readonly { name: string; value: string }[];
}

interface ContainerLike {
  name?: unknown;
  image?: unknown;
  env?: unknown;
  [field: string]: unknown;
}

interface DeploymentLike {
  apiVersion?: unknown;
  kind?: unknown;
  metadata: { name: string; namespace?: string | undefined; resourceVersion?: string | undefined; [field: string]: unknown };
  spec?: unknown;
}

/**
 * The Deployment as a manifest with the first container's image replaced and env entries set (same name: replaced,
 * new name: added). The resourceVersion stays, so a Deployment changed meanwhile is a conflict, not an overwrite.
 */
export function deploymentWithChange(deployment: DeploymentLike, change: ContainerChange): Record<string, unknown> {
  const spec = structuredClone((deployment.spec ?? {}) as { template?: { spec?: { containers?: ContainerLike[] } } });
  const first = spec.template?.spec?.containers?.[0];
  if (!first) throw new Error(`Deployment ${deployment.metadata.name} has no container to change`);
  if (change.image) first.image = change.image;
  if (change.env.length > 0) {
    const env = Array.isArray(first.env) ? [...(first.env as { name: string; [field: string]: unknown }[])] : [];
    for (const entry of change.env) {
      const at = env.findIndex((e) => e.name === entry.name);
      if (at >= 0) env[at] = { name: entry.name, value: entry.value };
      else env.push({ name: entry.name, value: entry.value });
    }
    first.env = env;
  }
  const { name, namespace, resourceVersion, labels, annotations } = deployment.metadata;
  return {
    apiVersion: deployment.apiVersion ?? 'apps/v1',
    kind: deployment.kind ?? 'Deployment',
    metadata: {
      name,
      ...(namespace ? { namespace } : {}),
      ...(labels ? { labels } : {}),
      ...(annotations ? { annotations } : {}),
      ...(resourceVersion ? { resourceVersion } : {}),
    },
    spec,
  };
}
