import { type AnalysisMessage, analyze } from '@ambit/control-plane/analysis';
import type { StoredObject } from '@ambit/control-plane/store';
import { type KubeObject, kinds } from '@ambit/shared';
import type { BffControlPlane } from '../context';

/** Analysis of what the store holds, optionally with objects about to be applied laid over it (as `ambit analyze -f` does). */
export function analyzeMesh(
  controlPlane: BffControlPlane,
  options: { namespaces?: readonly string[]; overlay?: readonly KubeObject[] } = {},
) {
  const { store, registry } = controlPlane;
  const stored: KubeObject[] = kinds.flatMap((k) => store.list(k.kind));
  return analyze(options.overlay ? [...stored, ...options.overlay] : stored, {
    rootNamespace: registry.snapshot().options.rootNamespace,
    ...(options.namespaces ? { namespaces: options.namespaces } : {}),
  });
}

function refKey(kind: string, namespace: string, name: string): string {
  return `${kind}\u0000${namespace}\u0000${name}`;
}

/** The messages about these objects only: the warnings an apply shows for what it applied. */
export function messagesAbout(messages: readonly AnalysisMessage[], objects: readonly StoredObject[]): AnalysisMessage[] {
  const wanted = new Set(objects.map((o) => refKey(o.kind, o.metadata.namespace ?? '', o.metadata.name)));
  return messages.filter((m) => wanted.has(refKey(m.resource.kind, m.resource.namespace ?? '', m.resource.name)));
}
