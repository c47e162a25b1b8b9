/**
 * A STAND-IN for a Kubernetes API server, for tests only: there is no real API server on the
 * machines these tests run on. It speaks the parts of the API's HTTP protocol that Ambit's
 * Kubernetes store and leader election use, following the documented behaviour
 * (kubernetes.io/docs/reference/using-api/api-concepts and …/server-side-apply):
 *
 * - one global, increasing resourceVersion (as etcd's revision); lists answer a consistent read
 *   with the list's resourceVersion, items without kind/apiVersion;
 * - `?watch=true&resourceVersion=N` streams newline-delimited `{type, object}` events after N;
 *   `allowWatchBookmarks=true` gets BOOKMARK events (`sendBookmarks()`); a resourceVersion older
 *   than the compacted history gets an ERROR event with a `Status` of code 410, reason `Expired`
 *   ("too old resource version"), and the stream ends; `timeoutSeconds` ends a watch normally;
 * - server-side apply: `PATCH` with `application/apply-patch+yaml` (JSON bodies only here),
 *   `fieldManager` required, `force`, `dryRun=All`; field ownership per manager in
 *   metadata.managedFields (FieldsV1); a changed value of a field another manager owns is a 409
 *   `Status` (reason Conflict) with one `FieldManagerConflict` cause per field naming the manager;
 *   fields a manager stops applying are removed unless someone else owns them; 201 on create;
 * - POST (409 AlreadyExists), PUT with a resourceVersion precondition (409 Conflict), the status
 *   subresource (status only; resourceVersion bumps, generation does not), DELETE with
 *   preconditions; generation bumps when anything but metadata and status changes.
 *
 * It serves HTTPS with a throwaway self-signed certificate for 127.0.0.1 (the client refuses plain
 * HTTP API servers), and takes any bearer token.
 *
 * Simplifications (not what a real server does): lists are atomic in apply (no listType=map merge
 * keys), YAML apply bodies are not parsed, no pagination (limit/continue), no admission,
 * defaulting or schema validation, namespace deletion removes its objects at once (no
 * Terminating phase or finalizers), no authentication.
 */
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ApiResource, apiResource, WATCHED_KINDS } from '../../src/store/kubernetes/index';

type Json = Record<string, unknown>;

interface StoredEntry {
  object: Json;
  /** Field path (`.spec.replicas`) → managers owning it, with the operation that made them own it. */
  owners: Map<string, Map<string, 'Apply' | 'Update'>>;
}

interface LogEvent {
  rv: number;
  type: 'ADDED' | 'MODIFIED' | 'DELETED';
  kind: string;
  namespace: string;
  object: Json;
}

interface OpenWatch {
  resource: ApiResource;
  namespace: string | undefined;
  bookmarks: boolean;
  res: ServerResponse;
  timer: NodeJS.Timeout | undefined;
}

class HttpStatus extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
    message: string,
    readonly causes: { type: string; message: string; field: string }[] = [],
  ) {
    super(message);
  }
}

const SERVER_METADATA = ['uid', 'resourceVersion', 'generation', 'creationTimestamp', 'managedFields', 'selfLink', 'name', 'namespace'];

export class FakeKubeApiServer {
  private server: Server | undefined;
  private rv = 1;
  private compactedBelow = 0;
  private readonly objects = new Map<string, StoredEntry>();
  private readonly log: LogEvent[] = [];
  private readonly watches = new Set<OpenWatch>();
  /** While true, open watches hear nothing (a network partition); see partition(). */
  private partitioned = false;
  private readonly resources: ApiResource[];
  /** Requests served, e.g. `GET /api/v1/pods?watch=true` (for asserting on protocol use). */
  readonly requests: string[] = [];
  url = '';
  private readonly certificate = selfSignedCertificate();
  private readonly sockets = new Set<Socket>();

  constructor(kinds: readonly string[] = [...WATCHED_KINDS, 'Lease']) {
    this.resources = kinds.map(apiResource);
  }

  async start(): Promise<string> {
    this.server = createServer({ key: this.certificate.key, cert: this.certificate.cert }, (req, res) => {
      this.handle(req, res).catch((error: unknown) => {
        const status = error instanceof HttpStatus ? error : new HttpStatus(500, 'InternalError', (error as Error).message);
        this.sendStatus(res, status);
      });
    });
    // Every socket, to end them all on stop (TLS sockets of aborted watches linger otherwise).
    this.server.on('connection', (socket: Socket) => {
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    this.url = `https://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this.url;
  }

  async stop(): Promise<void> {
    for (const w of this.watches) this.endWatch(w);
    await new Promise<void>((resolve) => {
      this.server?.close(() => resolve());
      for (const socket of this.sockets) socket.destroy();
    });
  }

  /** A kubeconfig (YAML) pointing at this server. */
  kubeconfig(): string {
    return [
      'apiVersion: v1',
      'kind: Config',
      `clusters: [{name: stand-in, cluster: {server: "${this.url}", certificate-authority-data: ${Buffer.from(this.certificate.cert).toString('base64')}}}]`,
      'users: [{name: tester, user: {token: stand-in}}]',
      'contexts: [{name: stand-in, context: {cluster: stand-in, user: tester}}]',
      'current-context: stand-in',
    ].join('\n');
  }

  /** Forgets history up to now (etcd compaction): watches from older versions get 410 Expired. */
  compact(): void {
    this.compactedBelow = this.rv + 1;
    this.log.length = 0;
  }

  /** Open watches stop hearing of changes (as behind a network partition) until expireWatches(). */
  partition(): void {
    this.partitioned = true;
  }

  /** Compacts and ends every open watch with the 410 Expired ERROR event, as after a long disconnect. */
  expireWatches(): void {
    this.partitioned = false;
    this.compact();
    for (const w of [...this.watches]) {
      this.writeEvent(w.res, { type: 'ERROR', object: this.expiredStatus(0) });
      this.endWatch(w);
    }
  }

  /** Sends a BOOKMARK with the current resourceVersion to every watch that asked for bookmarks. */
  sendBookmarks(): void {
    for (const w of this.watches) {
      if (!w.bookmarks) continue;
      this.writeEvent(w.res, {
        type: 'BOOKMARK',
        object: { kind: w.resource.kind, apiVersion: w.resource.apiVersion, metadata: { resourceVersion: String(this.rv) } },
      });
    }
  }

  openWatches(): number {
    return this.watches.size;
  }

  currentResourceVersion(): number {
    return this.rv;
  }

  /** The stored object, as the API returns it. */
  object(kind: string, namespace: string, name: string): Json | undefined {
    return this.objects.get(this.key(kind, namespace, name))?.object;
  }

  // ---- HTTP ----

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://stand-in');
    this.requests.push(`${req.method} ${url.pathname}${url.search}`);
    const route = this.route(url.pathname);
    const body = await readBody(req);
    const q = url.searchParams;
    switch (req.method) {
      case 'GET':
        if (route.name === undefined) {
          if (q.get('watch') === 'true' || q.get('watch') === '1') return this.watch(route.resource, route.namespace, q, res);
          return this.sendJson(res, 200, this.list(route.resource, route.namespace));
        }
        return this.sendJson(res, 200, this.require(route.resource, route.namespace ?? '', route.name).object);
      case 'POST':
        return this.sendJson(res, 201, this.create(route.resource, route.namespace ?? '', parse(body), q));
      case 'PUT':
        if (route.name === undefined) throw new HttpStatus(405, 'MethodNotAllowed', 'PUT needs an object name');
        return this.sendJson(res, 200, this.update(route.resource, route.namespace ?? '', route.name, route.subresource, parse(body), q));
      case 'PATCH': {
        if (route.name === undefined) throw new HttpStatus(405, 'MethodNotAllowed', 'PATCH needs an object name');
        if (req.headers['content-type'] !== 'application/apply-patch+yaml')
          throw new HttpStatus(
            415,
            'UnsupportedMediaType',
            `the stand-in serves only server-side apply patches, not ${req.headers['content-type']}`,
          );
        const result = this.apply(route.resource, route.namespace ?? '', route.name, parse(body), q);
        return this.sendJson(res, result.created ? 201 : 200, result.object);
      }
      case 'DELETE':
        if (route.name === undefined) throw new HttpStatus(405, 'MethodNotAllowed', 'DELETE needs an object name');
        return this.sendJson(res, 200, this.remove(route.resource, route.namespace ?? '', route.name, body ? parse(body) : {}, q));
      default:
        throw new HttpStatus(405, 'MethodNotAllowed', `${req.method} is not supported`);
    }
  }

  private route(path: string): {
    resource: ApiResource;
    namespace: string | undefined;
    name: string | undefined;
    subresource: string | undefined;
  } {
    const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
    let apiVersion: string;
    let rest: string[];
    if (parts[0] === 'api' && parts[1]) {
      apiVersion = parts[1];
      rest = parts.slice(2);
    } else if (parts[0] === 'apis' && parts[1] && parts[2]) {
      apiVersion = `${parts[1]}/${parts[2]}`;
      rest = parts.slice(3);
    } else throw new HttpStatus(404, 'NotFound', `the server could not find the requested resource (${path})`);
    const find = (plural: string | undefined) => this.resources.find((r) => r.apiVersion === apiVersion && r.plural === plural);
    if (rest[0] === 'namespaces' && rest.length >= 3 && find(rest[2])?.namespaced) {
      return { resource: find(rest[2]) as ApiResource, namespace: rest[1], name: rest[3], subresource: rest[4] };
    }
    const resource = find(rest[0]);
    if (!resource) throw new HttpStatus(404, 'NotFound', `the server could not find the requested resource (${path})`);
    return { resource, namespace: undefined, name: rest[1], subresource: rest[2] };
  }

  private list(resource: ApiResource, namespace: string | undefined): Json {
    const items = [...this.objects.values()]
      .map((e) => e.object)
      .filter((o) => o.kind === resource.kind && (namespace === undefined || meta(o).namespace === namespace))
      .map(({ kind: _k, apiVersion: _a, ...item }) => item);
    return { kind: `${resource.kind}List`, apiVersion: resource.apiVersion, metadata: { resourceVersion: String(this.rv) }, items };
  }

  private watch(resource: ApiResource, namespace: string | undefined, q: URLSearchParams, res: ServerResponse): void {
    const from = q.get('resourceVersion') ?? '';
    res.writeHead(200, { 'content-type': 'application/json', 'transfer-encoding': 'chunked' });
    // As the API server does: the headers go out at once, before any event, so a quiet watch is established.
    res.flushHeaders();
    const w: OpenWatch = { resource, namespace, bookmarks: q.get('allowWatchBookmarks') === 'true', res, timer: undefined };
    const matches = (e: { kind: string; namespace: string }) =>
      e.kind === resource.kind && (namespace === undefined || e.namespace === namespace);
    if (from === '' || from === '0') {
      for (const entry of this.objects.values())
        if (matches({ kind: String(entry.object.kind), namespace: meta(entry.object).namespace ?? '' }))
          this.writeEvent(res, { type: 'ADDED', object: entry.object });
    } else {
      const since = Number(from);
      if (!Number.isInteger(since) || since < this.compactedBelow - 1) {
        this.writeEvent(res, { type: 'ERROR', object: this.expiredStatus(since) });
        res.end();
        return;
      }
      for (const e of this.log) if (e.rv > since && matches(e)) this.writeEvent(res, { type: e.type, object: e.object });
    }
    const timeout = Number(q.get('timeoutSeconds') ?? 0);
    if (timeout > 0) w.timer = setTimeout(() => this.endWatch(w), timeout * 1000);
    this.watches.add(w);
    res.on('close', () => this.endWatch(w));
  }

  private expiredStatus(since: number): Json {
    return {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: `too old resource version: ${since} (${this.compactedBelow})`,
      reason: 'Expired',
      code: 410,
    };
  }

  private endWatch(w: OpenWatch): void {
    if (!this.watches.delete(w)) return;
    if (w.timer) clearTimeout(w.timer);
    w.res.end();
  }

  private writeEvent(res: ServerResponse, event: Json): void {
    res.write(`${JSON.stringify(event)}\n`);
  }

  // ---- object operations ----

  private key(kind: string, namespace: string, name: string): string {
    return `${kind}|${namespace}|${name}`;
  }

  private require(resource: ApiResource, namespace: string, name: string): StoredEntry {
    const entry = this.objects.get(this.key(resource.kind, namespace, name));
    if (!entry) throw new HttpStatus(404, 'NotFound', `${resource.plural} "${name}" not found`);
    return entry;
  }

  private checkNamespace(resource: ApiResource, namespace: string): void {
    if (resource.namespaced && !this.objects.has(this.key('Namespace', '', namespace))) {
      throw new HttpStatus(404, 'NotFound', `namespaces "${namespace}" not found`);
    }
  }

  private create(resource: ApiResource, namespace: string, body: Json, q: URLSearchParams): Json {
    const name = meta(body).name;
    if (!name) throw new HttpStatus(422, 'Invalid', 'metadata.name: Required value');
    if (this.objects.has(this.key(resource.kind, namespace, name)))
      throw new HttpStatus(409, 'AlreadyExists', `${resource.plural} "${name}" already exists`);
    this.checkNamespace(resource, namespace);
    const entry: StoredEntry = { object: {}, owners: new Map() };
    const manager = q.get('fieldManager') ?? 'unknown';
    for (const path of leafPaths(userPart(body))) own(entry, path, manager, 'Update');
    entry.object = this.stamp(resource, namespace, name, userPart(body), undefined, entry);
    if (q.get('dryRun') !== 'All') this.commit('ADDED', entry);
    return entry.object;
  }

  private update(
    resource: ApiResource,
    namespace: string,
    name: string,
    subresource: string | undefined,
    body: Json,
    q: URLSearchParams,
  ): Json {
    const entry = this.require(resource, namespace, name);
    const current = entry.object;
    this.precondition(current, meta(body).resourceVersion);
    const manager = q.get('fieldManager') ?? 'unknown';
    let next: Json;
    if (subresource === 'status') {
      next = { ...withoutStatus(current), ...(body.status !== undefined ? { status: body.status } : {}) };
    } else if (subresource === undefined) {
      next = { ...userPart(body), metadata: { ...meta(current), labels: meta(body).labels, annotations: meta(body).annotations } };
      if (current.status !== undefined) next.status = current.status;
      const before = new Map(leafValues(userPart(current)));
      for (const [path, value] of leafValues(userPart(body))) if (before.get(path) !== value) own(entry, path, manager, 'Update', true);
    } else throw new HttpStatus(404, 'NotFound', `no subresource ${subresource}`);
    return this.replace(resource, entry, next, q.get('dryRun') === 'All');
  }

  /** Server-side apply (see the file comment for what is simplified). */
  private apply(
    resource: ApiResource,
    namespace: string,
    name: string,
    body: Json,
    q: URLSearchParams,
  ): { object: Json; created: boolean } {
    const manager = q.get('fieldManager');
    if (!manager) throw new HttpStatus(400, 'BadRequest', 'PATCH, fieldManager: Required value: is required for apply patch');
    if (body.kind !== resource.kind || body.apiVersion !== resource.apiVersion || meta(body).name !== name) {
      throw new HttpStatus(400, 'BadRequest', 'the apply body must name the kind, apiVersion and name of the URL');
    }
    const force = q.get('force') === 'true';
    const dryRun = q.get('dryRun') === 'All';
    const applied = userPart(body);
    const appliedLeaves = new Map(leafValues(applied));
    const existing = this.objects.get(this.key(resource.kind, namespace, name));
    if (!existing) {
      this.checkNamespace(resource, namespace);
      const entry: StoredEntry = { object: {}, owners: new Map() };
      for (const path of appliedLeaves.keys()) own(entry, path, manager, 'Apply');
      entry.object = this.stamp(resource, namespace, name, applied, undefined, entry);
      if (!dryRun) this.commit('ADDED', entry);
      return { object: entry.object, created: true };
    }
    this.precondition(existing.object, meta(body).resourceVersion);
    const current = new Map(leafValues(userPart(existing.object)));
    const conflicts: { type: string; message: string; field: string }[] = [];
    for (const [path, value] of appliedLeaves) {
      if (current.get(path) === value) continue;
      for (const other of existing.owners.get(path)?.keys() ?? []) {
        if (other !== manager) conflicts.push({ type: 'FieldManagerConflict', message: `conflict with "${other}"`, field: path });
      }
    }
    if (conflicts.length > 0 && !force) {
      const list = conflicts.map((c) => `${c.message}: ${c.field}`).join(', ');
      throw new HttpStatus(
        409,
        'Conflict',
        `Apply failed with ${conflicts.length} conflict${conflicts.length === 1 ? '' : 's'}: ${list}`,
        conflicts,
      );
    }
    const entry: StoredEntry = { object: structuredClone(existing.object), owners: cloneOwners(existing.owners) };
    let next = userPart(entry.object);
    // Fields this manager applied before but not now: released, and removed when nobody else owns them.
    for (const [path, managers] of entry.owners) {
      if (!managers.has(manager) || appliedLeaves.has(path)) continue;
      managers.delete(manager);
      if (managers.size === 0) {
        entry.owners.delete(path);
        next = removePath(next, path);
      }
    }
    for (const [path, value] of appliedLeaves) {
      next = setPath(next, path, structuredClone(value === undefined ? undefined : JSON.parse(value)));
      own(entry, path, manager, 'Apply', current.get(path) !== value);
    }
    const candidate = { ...next, metadata: { ...meta(existing.object), ...meta(next) } } as Json;
    if (existing.object.status !== undefined) candidate.status = existing.object.status;
    const object = this.replace(resource, { ...entry, object: existing.object }, candidate, dryRun, entry.owners);
    return { object, created: false };
  }

  private remove(resource: ApiResource, namespace: string, name: string, options: Json, q: URLSearchParams): Json {
    const entry = this.require(resource, namespace, name);
    const pre = (options.preconditions as { resourceVersion?: string } | undefined)?.resourceVersion;
    this.precondition(entry.object, pre);
    if (q.get('dryRun') === 'All') return entry.object;
    if (resource.kind === 'Namespace') {
      for (const [key, child] of [...this.objects]) {
        if (meta(child.object).namespace === name) {
          this.objects.delete(key);
          this.commit('DELETED', child);
        }
      }
    }
    this.objects.delete(this.key(resource.kind, namespace, name));
    this.commit('DELETED', entry);
    return entry.object;
  }

  private precondition(current: Json, resourceVersion: unknown): void {
    if (resourceVersion !== undefined && resourceVersion !== '' && resourceVersion !== meta(current).resourceVersion) {
      throw new HttpStatus(
        409,
        'Conflict',
        `Operation cannot be fulfilled on ${String(current.kind).toLowerCase()} "${meta(current).name}": the object has been modified; please apply your changes to the latest version and try again`,
      );
    }
  }

  /** Writes `next` over the entry if it differs; bumps resourceVersion, and generation when the spec changed. */
  private replace(resource: ApiResource, entry: StoredEntry, next: Json, dryRun: boolean, owners = entry.owners): Json {
    const current = entry.object;
    const m = meta(current);
    const updated = this.stamp(resource, m.namespace ?? '', m.name ?? '', next, current, { object: current, owners });
    const same =
      JSON.stringify({ ...updated, metadata: { ...meta(updated), resourceVersion: '', managedFields: [] } }) ===
      JSON.stringify({ ...current, metadata: { ...m, resourceVersion: '', managedFields: [] } });
    if (same) return current;
    if (dryRun) return updated;
    const stored: StoredEntry = { object: updated, owners };
    this.commit('MODIFIED', stored);
    return updated;
  }

  /** The object with server-owned metadata: uid, creationTimestamp, generation, resourceVersion (next), managedFields. */
  private stamp(resource: ApiResource, namespace: string, name: string, user: Json, previous: Json | undefined, entry: StoredEntry): Json {
    const previousMeta = previous ? meta(previous) : undefined;
    const specChanged = !previous || JSON.stringify(specPart(previous)) !== JSON.stringify(specPart(user));
    const userMeta = meta(user);
    const metadata: Json = {
      ...userMeta,
      name,
      ...(resource.namespaced ? { namespace } : {}),
      uid: previousMeta?.uid ?? randomUUID(),
      creationTimestamp: previousMeta?.creationTimestamp ?? new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
      generation: previous ? Number(previousMeta?.generation ?? 1) + (specChanged ? 1 : 0) : 1,
      resourceVersion: String(this.rv + 1),
      managedFields: managedFields(entry.owners, resource.apiVersion),
    };
    for (const k of Object.keys(metadata)) if (metadata[k] === undefined) delete metadata[k];
    return { ...user, apiVersion: resource.apiVersion, kind: resource.kind, metadata };
  }

  private commit(type: LogEvent['type'], entry: StoredEntry): void {
    const m = meta(entry.object);
    const kind = String(entry.object.kind);
    const resource = this.resources.find((r) => r.kind === kind) as ApiResource;
    if (type === 'DELETED') {
      this.rv++;
      entry.object = { ...entry.object, metadata: { ...m, resourceVersion: String(this.rv) } };
    } else {
      this.rv = Number(m.resourceVersion);
      this.objects.set(this.key(kind, resource.namespaced ? (m.namespace ?? '') : '', m.name ?? ''), entry);
    }
    const event: LogEvent = { rv: this.rv, type, kind, namespace: m.namespace ?? '', object: entry.object };
    this.log.push(event);
    if (this.partitioned) return;
    for (const w of this.watches) {
      if (w.resource.kind === kind && (w.namespace === undefined || w.namespace === event.namespace))
        this.writeEvent(w.res, { type, object: entry.object });
    }
  }

  private sendJson(res: ServerResponse, code: number, body: unknown): void {
    res.writeHead(code, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  }

  private sendStatus(res: ServerResponse, status: HttpStatus): void {
    if (res.headersSent) {
      res.end();
      return;
    }
    this.sendJson(res, status.code, {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: status.message,
      reason: status.reason,
      ...(status.causes.length > 0 ? { details: { causes: status.causes } } : {}),
      code: status.code,
    });
  }
}

function meta(object: Json): {
  name?: string;
  namespace?: string;
  resourceVersion?: string;
  uid?: string;
  generation?: number;
  creationTimestamp?: string;
  labels?: unknown;
  annotations?: unknown;
} & Json {
  return (object.metadata ?? {}) as never;
}

/** What a user sets: everything but apiVersion, kind, status and the server's metadata. */
function userPart(object: Json): Json {
  const { apiVersion: _a, kind: _k, status: _s, metadata, ...rest } = object;
  const m: Json = { ...((metadata ?? {}) as Json) };
  for (const f of SERVER_METADATA) delete m[f];
  return Object.keys(m).length > 0 ? { ...rest, metadata: m } : rest;
}

function withoutStatus(object: Json): Json {
  const { status: _s, ...rest } = object;
  return rest;
}

function specPart(object: Json): Json {
  const { metadata: _m, status: _s, apiVersion: _a, kind: _k, ...rest } = object;
  return rest;
}

/** Leaf field paths (`.spec.replicas`) with their JSON values; arrays are leaves (atomic lists). */
function leafValues(object: Json, prefix = ''): [string, string][] {
  const out: [string, string][] = [];
  for (const [k, v] of Object.entries(object)) {
    const path = `${prefix}.${k}`;
    if (v !== null && typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length > 0) out.push(...leafValues(v as Json, path));
    else out.push([path, JSON.stringify(v)]);
  }
  return out;
}

function leafPaths(object: Json): string[] {
  return leafValues(object).map(([p]) => p);
}

function own(entry: StoredEntry, path: string, manager: string, operation: 'Apply' | 'Update', exclusive = false): void {
  let managers = entry.owners.get(path);
  if (!managers || exclusive) {
    managers = new Map();
    entry.owners.set(path, managers);
  }
  managers.set(manager, operation);
}

function cloneOwners(owners: StoredEntry['owners']): StoredEntry['owners'] {
  return new Map([...owners].map(([p, m]) => [p, new Map(m)]));
}

function setPath(object: Json, path: string, value: unknown): Json {
  const [head, ...rest] = path.slice(1).split('.');
  const key = head as string;
  if (rest.length === 0) return { ...object, [key]: value };
  const child = object[key];
  return {
    ...object,
    [key]: setPath(child && typeof child === 'object' && !Array.isArray(child) ? (child as Json) : {}, `.${rest.join('.')}`, value),
  };
}

function removePath(object: Json, path: string): Json {
  const [head, ...rest] = path.slice(1).split('.');
  const key = head as string;
  if (!(key in object)) return object;
  if (rest.length === 0) {
    const { [key]: _gone, ...kept } = object;
    return kept;
  }
  const child = removePath((object[key] ?? {}) as Json, `.${rest.join('.')}`);
  if (Object.keys(child).length === 0) {
    const { [key]: _gone, ...kept } = object;
    return kept;
  }
  return { ...object, [key]: child };
}

/** metadata.managedFields: one entry per (manager, operation) with FieldsV1 (`f:` keys). */
function managedFields(owners: StoredEntry['owners'], apiVersion: string): Json[] {
  const byManager = new Map<string, Json>();
  for (const [path, managers] of owners) {
    for (const [manager, operation] of managers) {
      const id = `${manager}\u0000${operation}`;
      let fields = byManager.get(id);
      if (!fields) {
        fields = {};
        byManager.set(id, fields);
      }
      let node = fields;
      for (const part of path.slice(1).split('.')) {
        const k = `f:${part}`;
        node[k] ??= {};
        node = node[k] as Json;
      }
    }
  }
  return [...byManager].map(([id, fieldsV1]) => {
    const [manager, operation] = id.split('\u0000');
    return { manager, operation, apiVersion, time: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'), fieldsType: 'FieldsV1', fieldsV1 };
  });
}

/** A P-256 key and a one-day self-signed certificate for 127.0.0.1, made with openssl. */
function selfSignedCertificate(): { key: string; cert: string } {
  const dir = mkdtempSync(join(tmpdir(), 'ambit-stand-in-'));
  try {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=stand-in-kube-apiserver',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
      ],
      { stdio: 'ignore' },
    );
    return { key: readFileSync(join(dir, 'key.pem'), 'utf8'), cert: readFileSync(join(dir, 'cert.pem'), 'utf8') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function parse(body: string): Json {
  try {
    return JSON.parse(body) as Json;
  } catch {
    throw new HttpStatus(400, 'BadRequest', 'the stand-in accepts JSON bodies only (JSON is valid YAML)');
  }
}

async function readBody(req: IncomingMessage): Promise<string> {
  let body = '';
  for await (const chunk of req) body += chunk;
  return body;
}
