import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type ManifestObject, readManifests } from '@ambit/shared';

/** The demo's namespace: Bookinfo, a waypoint and a load generator. */
export const DEMO_NAMESPACE = 'demo';

const demoFile = (path: string) => fileURLToPath(new URL(`../../demo/${path}`, import.meta.url));

/** The files the demo is made of, in apply order: Istio's Bookinfo as published, then Ambit's additions. */
export const DEMO_FILES = ['demo.yaml', 'upstream/istio/bookinfo.yaml', 'upstream/istio/bookinfo-versions.yaml'] as const;

export function demoPath(file: string): string {
  return demoFile(file);
}

/** The demo's objects; the upstream files name no namespace and go into `demo`. */
export function demoManifests(): ManifestObject[] {
  return DEMO_FILES.flatMap((file) => readManifests(readFileSync(demoFile(file), 'utf8'), file));
}
