// The Kubernetes manifests: rendered from their kustomizations (render.ts, no kustomize binary
// here), every object validated against the Kubernetes OpenAPI schemas of kubernetes-models
// (4.5, ajv) — Istio / Gateway API / Flagger / Ambit custom resources with Ambit's own zod
// schemas instead, since @kubernetes-models/* CRD packages are not installed — plus the checks a
// reviewer would make: least-privilege RBAC, images that docker-compose.yml builds, a Prometheus
// config Prometheus accepts, and the control plane's two replicas with leader election.
// kubernetes-models' schemas allow unknown fields (like kubectl's non-strict validation), so a
// misspelled optional field is not caught here.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { apiResource, WATCHED_KINDS } from '@ambit/control-plane/store/kubernetes';
import { PrometheusTelemetry } from '@ambit/control-plane/telemetry';
import { clusterWaypointPod, DEFAULT_CONTROL_PLANE_ADDRESS, DEFAULT_WAYPOINT_IMAGE } from '@ambit/control-plane/waypoint-deployer';
import { WAYPOINT_OBJECT_KINDS, waypointObjects } from '@ambit/control-plane/waypoint-objects';
import { validateObject } from '@ambit/shared';
import { CustomResourceDefinition } from 'kubernetes-models/apiextensions.k8s.io/v1';
import { DaemonSet, Deployment } from 'kubernetes-models/apps/v1';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { ClusterRole, ClusterRoleBinding, Role, RoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1';
import { ConfigMap, Namespace, Service, ServiceAccount } from 'kubernetes-models/v1';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { startPrometheus } from '../../packages/control-plane/test/support/prometheus-server';
import { type RenderedObject, renderKustomization } from './render';

const here = import.meta.dirname;
const repo = join(here, '../..');
const base = renderKustomization(join(here, 'base'));
const waypointExample = renderKustomization(join(here, 'examples/waypoint'));
const all = [...base, ...waypointExample];

/** kubernetes-models classes by `apiVersion kind`: the schemas of the built-in kinds. */
const BUILT_IN: Record<string, new (data: never) => { validate(): void }> = {
  'v1 Namespace': Namespace,
  'v1 Service': Service,
  'v1 ServiceAccount': ServiceAccount,
  'v1 ConfigMap': ConfigMap,
  'apps/v1 Deployment': Deployment,
  'apps/v1 DaemonSet': DaemonSet,
  'policy/v1 PodDisruptionBudget': PodDisruptionBudget,
  'rbac.authorization.k8s.io/v1 ClusterRole': ClusterRole,
  'rbac.authorization.k8s.io/v1 ClusterRoleBinding': ClusterRoleBinding,
  'rbac.authorization.k8s.io/v1 Role': Role,
  'rbac.authorization.k8s.io/v1 RoleBinding': RoleBinding,
  'apiextensions.k8s.io/v1 CustomResourceDefinition': CustomResourceDefinition,
};

/** Custom resources: Ambit's zod schemas (the ones `ambit apply` uses). */
const CUSTOM_GROUPS = ['gateway.networking.k8s.io/', 'security.istio.io/', 'flagger.app/', 'networking.ambit.dev/'];

function plain(object: RenderedObject): Record<string, unknown> {
  const { source: _source, ...rest } = object;
  return rest;
}

interface PodTemplateOwner {
  spec: {
    replicas?: number;
    selector: { matchLabels: Record<string, string> };
    template: { metadata: { labels: Record<string, string> }; spec: PodSpec };
  };
}

interface PodSpec {
  serviceAccountName?: string;
  containers: { name: string; image: string; securityContext?: { allowPrivilegeEscalation?: boolean } }[];
}

function workloads(objects: readonly RenderedObject[]): (RenderedObject & PodTemplateOwner)[] {
  return objects.filter((o) => o.kind === 'Deployment' || o.kind === 'DaemonSet') as never;
}

describe('deploy/kubernetes manifests', () => {
  it('render from the kustomization into the ambit-system namespace, labelled part-of ambit', () => {
    expect(base.length).toBeGreaterThan(15);
    for (const o of base) {
      expect(o.metadata.labels?.['app.kubernetes.io/part-of'], o.source).toBe('ambit');
      if (!['Namespace', 'ClusterRole', 'ClusterRoleBinding', 'CustomResourceDefinition'].includes(o.kind))
        expect(o.metadata.namespace, o.source).toBe('ambit-system');
    }
  });

  it('validate against the Kubernetes OpenAPI schemas (built-in kinds) and Ambit’s schemas (custom resources)', () => {
    const problems: string[] = [];
    for (const o of all) {
      const Model = BUILT_IN[`${o.apiVersion} ${o.kind}`];
      try {
        if (Model) new Model(plain(o) as never).validate();
        else if (CUSTOM_GROUPS.some((g) => o.apiVersion.startsWith(g))) validateObject(plain(o));
        else problems.push(`${o.source}: no schema for ${o.apiVersion} ${o.kind}`);
      } catch (error) {
        problems.push(`${o.source}: ${(error as Error).message}`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('catch an invalid object (the validation is not a no-op)', () => {
    const broken = structuredClone(base.find((o) => o.kind === 'Deployment')) as RenderedObject & PodTemplateOwner;
    (broken.spec as { replicas: unknown }).replicas = 'two';
    expect(() => new Deployment(plain(broken) as never).validate()).toThrow(/replicas must be integer/);
    expect(() =>
      validateObject({ ...plain(waypointExample.find((o) => o.kind === 'Gateway') as RenderedObject), spec: { listeners: 'x' } }),
    ).toThrow();
  });

  it('grant least privilege: no wildcards, no secrets, no escalation verbs', () => {
    const roles = base.filter((o) => o.kind === 'ClusterRole' || o.kind === 'Role') as (RenderedObject & {
      rules: { apiGroups: string[]; resources: string[]; verbs: string[]; resourceNames?: string[] }[];
    })[];
    expect(roles.length).toBeGreaterThan(0);
    for (const role of roles) {
      for (const rule of role.rules) {
        for (const field of [rule.apiGroups, rule.resources, rule.verbs]) expect(field.join(), role.source).not.toContain('*');
        expect(rule.resources, role.source).not.toContain('secrets');
        for (const verb of ['escalate', 'bind', 'impersonate']) expect(rule.verbs, role.source).not.toContain(verb);
      }
    }
    // Lease updates only of the control plane's own Lease.
    const leader = roles.find((r) => r.metadata.name === 'ambit-leader-election');
    expect(leader?.rules.find((r) => r.verbs.includes('update'))?.resourceNames).toEqual(['ambit-control-plane']);
    // Proxies and the console get no API token at all.
    for (const name of ['ambit-ztunnel', 'ambit-web'])
      expect(
        (base.find((o) => o.kind === 'ServiceAccount' && o.metadata.name === name) as Record<string, unknown>).automountServiceAccountToken,
      ).toBe(false);
    // Every binding names an account and a role that exist.
    for (const binding of base.filter((o) => o.kind.endsWith('Binding')) as (RenderedObject & {
      roleRef: { name: string };
      subjects: { name: string }[];
    })[]) {
      expect(
        roles.some((r) => r.metadata.name === binding.roleRef.name),
        binding.source,
      ).toBe(true);
      for (const s of binding.subjects)
        expect(
          base.some((o) => o.kind === 'ServiceAccount' && o.metadata.name === s.name),
          binding.source,
        ).toBe(true);
    }
  });

  it('let the control plane list and watch every kind its Kubernetes store watches (a missing grant is a 403 at startup)', () => {
    const role = base.find((o) => o.kind === 'ClusterRole' && o.metadata.name === 'ambit-control-plane') as RenderedObject & {
      rules: { apiGroups: string[]; resources: string[]; verbs: string[] }[];
    };
    for (const kind of WATCHED_KINDS) {
      const resource = apiResource(kind);
      const group = resource.apiVersion.includes('/') ? (resource.apiVersion.split('/')[0] as string) : '';
      const verbs = new Set(
        role.rules.filter((r) => r.apiGroups.includes(group) && r.resources.includes(resource.plural)).flatMap((r) => r.verbs),
      );
      for (const verb of ['list', 'watch']) expect(verbs.has(verb), `${group || 'core'} ${resource.plural} ${verb}`).toBe(true);
    }
  });

  it('show what the waypoint controller of `serve --store kubernetes` creates, and grant it exactly that', () => {
    const gateway = waypointExample.find((o) => o.kind === 'Gateway') as RenderedObject;
    const stored = { ...plain(gateway), metadata: { ...gateway.metadata, uid: 'uid-1' } } as never;
    const made = waypointObjects(stored, clusterWaypointPod('demo', 'waypoint', DEFAULT_WAYPOINT_IMAGE, DEFAULT_CONTROL_PLANE_ADDRESS));
    expect(made.map((o) => o.kind)).toEqual(['ServiceAccount', 'Deployment', 'Service']);
    for (const object of made) {
      const example = waypointExample.find((o) => o.kind === object.kind) as RenderedObject;
      const { metadata, ...rest } = object as Record<string, unknown> & { metadata: Record<string, unknown> };
      const { source: _source, metadata: exampleMetadata, ...exampleRest } = example;
      // The example is the controller's output without the owner (it has no Gateway uid to name).
      expect(rest, object.kind).toEqual(exampleRest);
      expect(metadata).toMatchObject({
        ...exampleMetadata,
        ownerReferences: [{ kind: 'Gateway', name: 'waypoint', uid: 'uid-1', controller: true }],
      });
      const Schema = BUILT_IN[`${object.apiVersion} ${object.kind}`];
      expect(Schema, object.kind).toBeDefined();
      if (Schema) new Schema(object as never).validate();
    }
    // Apply (patch, create on first apply) and delete of each kind it makes; no more on those kinds.
    const role = base.find((o) => o.kind === 'ClusterRole' && o.metadata.name === 'ambit-control-plane') as RenderedObject & {
      rules: { apiGroups: string[]; resources: string[]; verbs: string[] }[];
    };
    const plural = { ServiceAccount: ['', 'serviceaccounts'], Deployment: ['apps', 'deployments'], Service: ['', 'services'] } as const;
    for (const kind of WAYPOINT_OBJECT_KINDS) {
      const [group, resource] = plural[kind];
      const verbs = new Set(
        role.rules.filter((r) => r.apiGroups.includes(group) && r.resources.includes(resource)).flatMap((r) => r.verbs),
      );
      for (const verb of ['patch', 'create', 'delete', 'list', 'watch']) expect(verbs.has(verb), `${resource} ${verb}`).toBe(true);
      expect(
        [...verbs].filter((v) => !['get', 'list', 'watch', 'patch', 'create', 'delete'].includes(v)),
        resource,
      ).toEqual([]);
    }
  });

  it('run the images docker-compose.yml builds from the Dockerfile, and pin every other image', () => {
    const compose = parse(readFileSync(join(repo, 'docker-compose.yml'), 'utf8')) as {
      services: Record<string, { image: string; build?: { target?: string } }>;
    };
    const dockerfile = readFileSync(join(repo, 'Dockerfile'), 'utf8');
    const built = new Set<string>();
    for (const service of Object.values(compose.services)) {
      built.add(service.image);
      if (service.build?.target) expect(dockerfile).toMatch(new RegExp(`^FROM \\S+ AS ${service.build.target}$`, 'm'));
    }
    const images = workloads(all).flatMap((w) => w.spec.template.spec.containers.map((c) => ({ image: c.image, source: w.source })));
    expect(new Set(images.map((i) => i.image))).toEqual(new Set(['ambit/mesh:dev', 'ambit/web:dev', 'prom/prometheus:v2.53.2']));
    for (const { image, source } of images) {
      if (image.startsWith('ambit/')) expect(built.has(image), `${source}: ${image} is not built by docker-compose.yml`).toBe(true);
      else expect(image, source).toMatch(/:v?\d+\.\d+\.\d+$/);
    }
  });

  it('select their own pods, run as non-root without privilege escalation, with existing service accounts', () => {
    for (const w of workloads(all)) {
      const labels = w.spec.template.metadata.labels;
      for (const [k, v] of Object.entries(w.spec.selector.matchLabels)) expect(labels[k], w.source).toBe(v);
      for (const c of w.spec.template.spec.containers)
        expect(c.securityContext?.allowPrivilegeEscalation, `${w.source} ${c.name}`).toBe(false);
      const account = w.spec.template.spec.serviceAccountName;
      expect(
        all.some((o) => o.kind === 'ServiceAccount' && o.metadata.name === account),
        `${w.source}: ${account}`,
      ).toBe(true);
    }
    for (const svc of all.filter((o) => o.kind === 'Service') as (RenderedObject & { spec: { selector: Record<string, string> } })[]) {
      const selected = workloads(all).some((w) =>
        Object.entries(svc.spec.selector).every(([k, v]) => w.spec.template.metadata.labels[k] === v),
      );
      expect(selected, svc.source).toBe(true);
    }
  });

  it('run two control-plane replicas on the Kubernetes store, with the Prometheus back end', () => {
    const cp = workloads(base).find((w) => w.metadata.name === 'ambit-control-plane');
    expect(cp?.spec.replicas).toBe(2);
    const container = cp?.spec.template.spec.containers[0] as unknown as { args: string[]; env: { name: string; value?: string }[] };
    expect(container.args).toEqual(expect.arrayContaining(['serve', '--store', 'kubernetes']));
    expect(container.env.find((e) => e.name === 'AMBIT_PROMETHEUS_URL')?.value).toBe('http://prometheus.ambit-system.svc:9090');
    expect(base.some((o) => o.kind === 'PodDisruptionBudget')).toBe(true);
  });

  // Debian's Prometheus is built without Kubernetes service discovery, so promtool checks the config
  // with each job's kubernetes_sd_configs swapped for an (empty) file_sd_configs: everything else —
  // relabelling rules, intervals — is checked as written.
  it('give Prometheus a configuration that promtool accepts', () => {
    const config = (
      base.find((o) => o.kind === 'ConfigMap' && o.metadata.name === 'prometheus-config') as unknown as {
        data: Record<string, string>;
      }
    ).data['prometheus.yml'] as string;
    let promtool: string;
    try {
      promtool = execFileSync('which', ['promtool'], { encoding: 'utf8' }).trim();
    } catch {
      throw new Error('promtool is not installed; install it with: apt-get update && apt-get install -y prometheus');
    }
    const dir = mkdtempSync(join(tmpdir(), 'ambit-promtool-'));
    try {
      const swapped = parse(config) as { scrape_configs: Record<string, unknown>[] };
      for (const job of swapped.scrape_configs) {
        expect(job.kubernetes_sd_configs).toEqual([{ role: 'pod' }]);
        delete job.kubernetes_sd_configs;
        job.file_sd_configs = [{ files: [join(dir, 'targets.json')] }];
      }
      writeFileSync(join(dir, 'targets.json'), '[]');
      writeFileSync(join(dir, 'prometheus.yml'), JSON.stringify(swapped));
      const out = execFileSync(promtool, ['check', 'config', join(dir, 'prometheus.yml')], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      expect(out).toMatch(/SUCCESS/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    const jobs = (parse(config) as { scrape_configs: { job_name: string }[] }).scrape_configs.map((j) => j.job_name);
    expect(jobs).toEqual(['ambit-ztunnel', 'ambit-waypoints']);
  });

  // The relabelling, run by a real Prometheus on pods described the way Kubernetes discovery
  // describes them (its __meta_kubernetes_pod_* labels, fed through file discovery): the targets
  // get the labels the embedded scraper gives (proxyScrapeTargets), which the topology reads.
  it('label ztunnel (Ambit’s and Istio’s) and waypoint targets as the console expects, and skip other pods', async () => {
    const config = parse(
      (base.find((o) => o.kind === 'ConfigMap' && o.metadata.name === 'prometheus-config') as unknown as { data: Record<string, string> })
        .data['prometheus.yml'] as string,
    ) as { global: Record<string, string>; scrape_configs: Record<string, unknown>[] };
    const dir = mkdtempSync(join(tmpdir(), 'ambit-relabel-'));
    const pod = (ip: string, namespace: string, name: string, node: string, labels: Record<string, string>) => ({
      targets: [`${ip}:9`],
      labels: {
        __meta_kubernetes_pod_ip: ip,
        __meta_kubernetes_namespace: namespace,
        __meta_kubernetes_pod_name: name,
        __meta_kubernetes_pod_node_name: node,
        ...Object.fromEntries(
          Object.entries(labels).map(([k, v]) => [`__meta_kubernetes_pod_label_${k.replace(/[^a-zA-Z0-9_]/g, '_')}`, v]),
        ),
      },
    });
    writeFileSync(
      join(dir, 'pods.json'),
      JSON.stringify([
        pod('192.0.2.10', 'ambit-system', 'ambit-ztunnel-abcde', 'node-a', { 'ambit.dev/proxy': 'ztunnel', app: 'ambit-ztunnel' }),
        pod('192.0.2.11', 'istio-system', 'ztunnel-fghij', 'node-b', { app: 'ztunnel' }),
        pod('192.0.2.12', 'demo', 'waypoint-5d8f-xyz', 'node-a', { 'gateway.networking.k8s.io/gateway-name': 'waypoint' }),
        pod('192.0.2.13', 'demo', 'reviews-v1-abc', 'node-a', { app: 'reviews' }),
      ]),
    );
    for (const job of config.scrape_configs) {
      delete job.kubernetes_sd_configs;
      job.file_sd_configs = [{ files: [join(dir, 'pods.json')] }];
      // Unroutable addresses: the scrapes fail fast; only the targets' labels matter here.
      job.scrape_timeout = '1s';
    }
    const server = await startPrometheus(JSON.stringify(config));
    try {
      const prometheus = new PrometheusTelemetry({ url: server.url });
      const deadline = Date.now() + 20_000;
      let targets = await prometheus.targets();
      while (targets.length < 3 && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 200));
        targets = await prometheus.targets();
      }
      expect(targets.map((t) => ({ name: t.name, url: t.url, labels: t.labels }))).toEqual([
        {
          name: 'waypoint/demo/waypoint-5d8f-xyz',
          url: 'http://192.0.2.12:15020/metrics',
          labels: { instance: 'waypoint/demo/waypoint-5d8f-xyz', proxy: 'waypoint', waypoint: 'demo/waypoint' },
        },
        {
          name: 'ztunnel/node-a',
          url: 'http://192.0.2.10:15020/metrics',
          labels: { instance: 'ztunnel/node-a', proxy: 'ztunnel', node: 'node-a' },
        },
        {
          name: 'ztunnel/node-b',
          url: 'http://192.0.2.11:15020/metrics',
          labels: { instance: 'ztunnel/node-b', proxy: 'ztunnel', node: 'node-b' },
        },
      ]);
    } finally {
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
