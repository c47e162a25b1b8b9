/**
 * What every analyzer reads: the objects (the newest of each identity, schema-checked), indexed,
 * with the registry's waypoint binding and the shared policy compiler run once each.
 */

import {
  AmbitError,
  type AuthorizationPolicy,
  type Deployment,
  type Gateway,
  type KubeObject,
  type Pod,
  type Service,
  validateObject,
} from '@ambit/shared';
import { type CompileResult, compileAuthorizationPolicy, policyTargetOf, selectorMatches } from '@ambit/shared/authz';
import { GATEWAY_NAME_LABEL } from '../registry/labels';
import { DEFAULT_MESH_OPTIONS, type Labels, type MeshOptions, type NamespaceInfo, type WaypointInfo } from '../registry/model';
import { namespaceInfo } from '../registry/namespaces';
import {
  isWaypointGateway,
  resolveWaypointForService,
  resolveWaypointForWorkload,
  type WaypointResolution,
  waypointInfo,
} from '../registry/waypoints';
import { isClusterScoped, namespaceOf } from './message';
import type { AnalysisMessage } from './types';

/** A workload: a Pod, or a Deployment's pod template while it has no pods yet. */
export interface Workload {
  object: Pod | Deployment;
  namespace: string;
  labels: Labels;
  /** Where the labels are written in `object`. */
  labelsPath: 'metadata.labels' | 'spec.template.metadata.labels';
}

export interface SchemaProblem {
  object: KubeObject;
  error: AmbitError;
}

const EMPTY: Labels = Object.freeze({});

function identity(kind: string, namespace: string, name: string): string {
  return `${kind}/${namespace}/${name}`;
}

/** Inputs from files may lack what the schema requires; their identity must still not throw. */
function identityOf(object: KubeObject): string {
  const kind = String(object.kind);
  const namespace = isClusterScoped(kind) ? '' : String(object.metadata?.namespace ?? 'default');
  return identity(kind, namespace, String(object.metadata?.name));
}

export class AnalysisContext {
  readonly rootNamespace: string;
  readonly meshOptions: MeshOptions;
  /** Objects that passed schema validation. */
  readonly objects: readonly KubeObject[];
  readonly schemaProblems: readonly SchemaProblem[];
  readonly waypoints: ReadonlyMap<string, WaypointInfo>;
  readonly workloads: readonly Workload[];

  private readonly byKind = new Map<string, KubeObject[]>();
  private readonly valid = new Map<string, KubeObject>();
  /** Every input with a name, valid or not: a reference to an invalid object still finds it. */
  private readonly existing = new Map<string, KubeObject>();
  private readonly namespaceInfos = new Map<string, NamespaceInfo>();
  private readonly compiled = new Map<AuthorizationPolicy, CompileResult>();

  constructor(inputs: readonly KubeObject[], rootNamespace: string) {
    this.rootNamespace = rootNamespace;
    this.meshOptions = { ...DEFAULT_MESH_OPTIONS, rootNamespace };
    // Later inputs replace earlier ones with the same identity: files being applied over the store.
    const latest = new Map<string, KubeObject>();
    for (const input of inputs) {
      latest.delete(identityOf(input));
      latest.set(identityOf(input), input);
    }
    const objects: KubeObject[] = [];
    const problems: SchemaProblem[] = [];
    for (const input of latest.values()) {
      let valid: KubeObject;
      try {
        valid = validateObject(input);
      } catch (e) {
        if (!(e instanceof AmbitError)) throw e;
        problems.push({ object: input, error: e });
        if (typeof input.metadata?.name === 'string') this.existing.set(identityOf(input), input);
        continue;
      }
      objects.push(valid);
      this.existing.set(identityOf(valid), valid);
      this.valid.set(identityOf(valid), valid);
      const list = this.byKind.get(valid.kind);
      if (list) list.push(valid);
      else this.byKind.set(valid.kind, [valid]);
    }
    this.objects = objects;
    this.schemaProblems = problems;
    for (const ns of this.ofKind('Namespace')) this.namespaceInfos.set(ns.metadata.name, namespaceInfo(ns));
    this.waypoints = this.buildWaypoints();
    this.workloads = this.buildWorkloads();
  }

  ofKind<T extends KubeObject = KubeObject>(kind: string): readonly T[] {
    return (this.byKind.get(kind) ?? []) as T[];
  }

  /** The schema-checked object of that identity. Cluster-scoped kinds take namespace ''. */
  get<T extends KubeObject = KubeObject>(kind: string, namespace: string, name: string): T | undefined {
    return this.valid.get(identity(kind, namespace, name)) as T | undefined;
  }

  /** Any input of that identity, valid or not: enough to say a reference resolves. */
  find(kind: string, namespace: string, name: string): KubeObject | undefined {
    return this.existing.get(identity(kind, namespace, name));
  }

  findService(namespace: string, name: string): Service | undefined {
    return this.find('Service', namespace, name) as Service | undefined;
  }

  findGateway(namespace: string, name: string): Gateway | undefined {
    return this.find('Gateway', namespace, name) as Gateway | undefined;
  }

  /**
   * True when `name` is known not to exist. Namespaces are known only when the input has some
   * (the store always does); analysing files alone assumes their namespaces exist.
   */
  namespaceMissing(name: string): boolean {
    return this.namespaceInfos.size > 0 && !this.namespaceInfos.has(name);
  }

  namespaceInfo(name: string): NamespaceInfo | undefined {
    return this.namespaceInfos.get(name);
  }

  waypointForService(service: Service): WaypointResolution {
    const namespace = namespaceOf(service);
    return resolveWaypointForService(
      { namespace, labels: service.metadata.labels ?? EMPTY },
      this.namespaceInfo(namespace),
      this.waypoints,
    );
  }

  waypointForWorkload(workload: Workload): WaypointResolution {
    return resolveWaypointForWorkload(workload, this.namespaceInfo(workload.namespace), this.waypoints);
  }

  /** Services whose selector picks the workload. */
  servicesOf(workload: Workload): Service[] {
    return this.ofKind<Service>('Service').filter((s) => {
      const selector = s.spec.selector;
      return (
        namespaceOf(s) === workload.namespace && selector && Object.keys(selector).length > 0 && selectorMatches(selector, workload.labels)
      );
    });
  }

  /** Workloads a `matchLabels` selector picks in `namespace` (every namespace for the root namespace's AuthorizationPolicies). */
  selectedWorkloads(selector: Labels, namespace: string, anyNamespace = false): Workload[] {
    return this.workloads.filter((w) => (anyNamespace || w.namespace === namespace) && selectorMatches(selector, w.labels));
  }

  /**
   * The shared compiler's verdict on an AuthorizationPolicy where it is enforced: at the
   * waypoint when it attaches with targetRefs, else at ztunnel.
   */
  authorization(policy: AuthorizationPolicy): CompileResult {
    let result = this.compiled.get(policy);
    if (!result) {
      const enforcement = policyTargetOf(policy).targetRefs ? 'waypoint' : 'ztunnel';
      result = compileAuthorizationPolicy(policy, {
        enforcement,
        rootNamespace: this.rootNamespace,
        trustDomain: this.meshOptions.trustDomain,
      });
      this.compiled.set(policy, result);
    }
    return result;
  }

  /**
   * Waypoints as configured. One whose Service does not exist yet is taken to get the Service
   * named after it, as Istio's deployment controller names it: analysing a waypoint and its users
   * before the waypoint is deployed binds them as they will be bound.
   */
  private buildWaypoints(): Map<string, WaypointInfo> {
    const out = new Map<string, WaypointInfo>();
    for (const gateway of this.ofKind('Gateway')) {
      if (!isWaypointGateway(gateway)) continue;
      const namespace = namespaceOf(gateway);
      const own = this.ofKind('Service').find(
        (s) => namespaceOf(s) === namespace && s.metadata.labels?.[GATEWAY_NAME_LABEL] === gateway.metadata.name,
      );
      const info = waypointInfo(gateway, own?.metadata.name ?? gateway.metadata.name, [], this.meshOptions);
      out.set(info.key, info);
    }
    return out;
  }

  private buildWorkloads(): Workload[] {
    const pods = this.ofKind<Pod>('Pod').map(
      (pod): Workload => ({
        object: pod,
        namespace: namespaceOf(pod),
        labels: pod.metadata.labels ?? EMPTY,
        labelsPath: 'metadata.labels',
      }),
    );
    const templates: Workload[] = [];
    for (const deployment of this.ofKind<Deployment>('Deployment')) {
      const namespace = namespaceOf(deployment);
      const labels = deployment.spec.template.metadata?.labels ?? EMPTY;
      const selector = deployment.spec.selector.matchLabels ?? labels;
      if (pods.some((p) => p.namespace === namespace && selectorMatches(selector, p.labels))) continue;
      templates.push({ object: deployment, namespace, labels, labelsPath: 'spec.template.metadata.labels' });
    }
    return [...pods, ...templates];
  }
}

/** One check: reads the context, returns what it found. */
export type Analyzer = (ctx: AnalysisContext) => AnalysisMessage[];
