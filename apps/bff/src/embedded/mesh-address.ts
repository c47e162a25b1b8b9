import { isIP } from 'node:net';
import type { StoredObject } from '@ambit/control-plane/store';
import { AmbitError, type Pod } from '@ambit/shared';
import { serviceNodeAddresses } from './controllers';

/**
 * How a workload of the embedded mesh reaches a service, as its own DNS would resolve it: the
 * names `svc`, `svc.ns`, `svc.ns.svc` and `svc.ns.svc.cluster.local` all mean the Service, reached
 * at the address its node's ztunnel serves it on.
 */
export interface Lookup {
  pods(namespace: string): StoredObject[];
  service(namespace: string, name: string): StoredObject | undefined;
}

/** A pod by name, a Deployment's pod, or a pod labelled `app=<name>`; the first ready one. */
export function findSourcePod(lookup: Lookup, namespace: string, workload: string): Pod & StoredObject {
  const pods = lookup.pods(namespace) as unknown as (Pod & StoredObject)[];
  const ready = (p: Pod) => p.status?.phase === 'Running' && Boolean(p.status.podIP);
  const owned = (p: StoredObject) =>
    (p.metadata as { ownerReferences?: { name: string }[] }).ownerReferences?.some((o) => o.name === workload);
  const candidates = [
    pods.filter((p) => p.metadata.name === workload),
    pods.filter(owned),
    pods.filter((p) => p.metadata.labels?.app === workload),
  ];
  for (const group of candidates) {
    const pod = group.filter(ready).sort((a, b) => a.metadata.name.localeCompare(b.metadata.name))[0];
    if (pod) return pod;
    if (group.length > 0)
      throw new AmbitError('Unavailable', `${namespace}/${workload} has no running pod yet; see ambit get pods -n ${namespace}`);
  }
  throw new AmbitError('NotFound', `no pod, deployment or app "${workload}" in namespace "${namespace}"`);
}

/** The address a pod on `node` dials for `host` (a service name or an IP). */
export function resolveServiceAddress(lookup: Lookup, host: string, fromNamespace: string, node: string): string {
  if (isIP(host)) return host;
  const parts = host.split('.');
  const suffixOk = parts.length <= 2 || (parts[2] === 'svc' && (parts.length === 3 || parts.slice(3).join('.') === 'cluster.local'));
  const [name, namespace = fromNamespace] = parts;
  if (!name || !suffixOk)
    throw new AmbitError('NotFound', `cannot resolve "${host}": use <service>[.<namespace>[.svc.cluster.local]] or an IP`);
  const service = lookup.service(namespace, name);
  if (!service) throw new AmbitError('NotFound', `cannot resolve "${host}": no service ${namespace}/${name}`);
  const address = serviceNodeAddresses(service)[node];
  if (!address)
    throw new AmbitError('Unavailable', `service ${namespace}/${name} has no address on ${node} yet; is the mesh running (npm start)?`);
  return address;
}
