/**
 * Kubernetes mode: the store over a Kubernetes API server (list+watch caches, server-side apply)
 * and leader election on a Lease for running the controllers once among several replicas.
 */
export { type ApiResource, apiResource, collectionPath, objectPath, WATCHED_KINDS } from './api-resources';
export { type ApiStatus, KubeApi, statusError } from './kube-api';
export {
  KubernetesStore,
  type KubernetesStoreOptions,
  type KubernetesWriteOptions,
  loadKubeConfig,
} from './kubernetes-store';
export { type LeaderElectionOptions, LeaderElector, type LeaseSpec, microTime } from './leader-election';
export { type ReflectedEvent, Reflector, type ReflectorOptions } from './reflector';
