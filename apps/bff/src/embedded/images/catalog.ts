import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { PROXY_NODE_FLAGS, type ProxyKind, proxyBundlePath, proxyBundlesStale } from '@ambit/dataplane/process/bundle';

/**
 * Which program runs a container image in the embedded mesh. The built-in table maps Ambit's demo
 * images and Istio's Bookinfo images to implementations in this folder; users add their own images
 * with a JSON file (`<data-dir>/images.json`): `{"registry/image": {"command": "...", "args": [...]}}`,
 * matched on the image name without its tag.
 */
export interface ImageCommand {
  command: string;
  args: string[];
}

const here = (file: string) => fileURLToPath(new URL(file, import.meta.url));
const tsx = () => fileURLToPath(import.meta.resolve('tsx'));

function builtIn(file: string, ...args: string[]): ImageCommand {
  return { command: process.execPath, args: ['--import', tsx(), '--import', here('../parent-watch.ts'), here(file), ...args] };
}

/**
 * A ztunnel or waypoint process: the dataplane's bundled entry (no TypeScript loader in the proxy),
 * taking the flags of `ambit ztunnel` / `ambit waypoint`. Builds the bundle first when it is missing
 * or older than the sources (up.ts builds it before the mesh starts, so this rarely blocks).
 */
export function proxyCommand(kind: ProxyKind, args: readonly string[]): ImageCommand {
  if (proxyBundlesStale()) {
    const built = spawnSync(process.execPath, ['--import', tsx(), fileURLToPath(import.meta.resolve('@ambit/dataplane/process/bundle'))], {
      encoding: 'utf8',
    });
    if (built.status !== 0) throw new Error(`building the ${kind} bundle failed: ${built.stderr}`);
  }
  return { command: process.execPath, args: [...PROXY_NODE_FLAGS[kind], proxyBundlePath(kind), '--exit-with-parent', ...args] };
}

/** Image name (no tag, no docker.io/ prefix) → implementation. */
const BUILT_IN: Record<string, () => ImageCommand> = {
  'ambit/echo': () => builtIn('echo.ts'),
  'ambit/loadgen': () => builtIn('loadgen.ts'),
  // Reads its waypoint name, control plane and token from the environment the kubelet sets.
  'ambit/waypoint': () => proxyCommand('waypoint', []),
  'istio/examples-bookinfo-productpage-v1': () => builtIn('bookinfo.ts', 'productpage'),
  'istio/examples-bookinfo-details-v1': () => builtIn('bookinfo.ts', 'details'),
  'istio/examples-bookinfo-details-v2': () => builtIn('bookinfo.ts', 'details'),
  'istio/examples-bookinfo-reviews-v1': () => builtIn('bookinfo.ts', 'reviews'),
  'istio/examples-bookinfo-reviews-v2': () => builtIn('bookinfo.ts', 'reviews'),
  'istio/examples-bookinfo-reviews-v3': () => builtIn('bookinfo.ts', 'reviews'),
  'istio/examples-bookinfo-ratings-v1': () => builtIn('bookinfo.ts', 'ratings'),
};

/** `docker.io/istio/examples-bookinfo-reviews-v2:1.20.1` → `istio/examples-bookinfo-reviews-v2`. */
export function imageName(image: string): string {
  const withoutDigest = image.split('@')[0] ?? image;
  const lastSlash = withoutDigest.lastIndexOf('/');
  const colon = withoutDigest.indexOf(':', lastSlash + 1);
  const name = colon < 0 ? withoutDigest : withoutDigest.slice(0, colon);
  return name.replace(/^docker\.io\//, '').replace(/^library\//, '');
}

export function builtInImages(): string[] {
  return Object.keys(BUILT_IN);
}

/** Loads the user's image table; a broken file is an error the user must see, not an empty table. */
export function loadUserImages(file: string): Record<string, ImageCommand> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return {};
  }
  const parsed = JSON.parse(text) as Record<string, { command?: unknown; args?: unknown }>;
  const out: Record<string, ImageCommand> = {};
  for (const [image, entry] of Object.entries(parsed)) {
    if (typeof entry.command !== 'string' || (entry.args !== undefined && !Array.isArray(entry.args))) {
      throw new Error(`${file}: "${image}" needs {"command": string, "args"?: string[]}`);
    }
    out[image] = { command: entry.command, args: (entry.args as string[] | undefined) ?? [] };
  }
  return out;
}

export function resolveImage(image: string, userImages: Record<string, ImageCommand> = {}): ImageCommand | undefined {
  const name = imageName(image);
  return userImages[name] ?? BUILT_IN[name]?.();
}
