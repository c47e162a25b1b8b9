/**
 * The benchmark's side of a server child process (the control plane, or the baseline): fork it
 * under tsx, wait for `started`, send requests and await their answers, read its memory from the
 * kernel, and end it.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { Reply, Request, Started } from './protocol';

type ReplyOf<T extends Reply['type']> = Extract<Reply, { type: T }>;
/** A request without its id, which `call` assigns. */
type Body<R extends Request> = R extends Request ? Omit<R, 'id'> : never;

export class ServerProcess<R extends Request> {
  private nextId = 1;
  private readonly waiting = new Map<number, { resolve(reply: Reply): void; reject(error: Error): void }>();
  readonly started: Promise<Started>;

  private constructor(
    private readonly label: string,
    private readonly child: ChildProcess,
  ) {
    this.started = new Promise((resolve, reject) => {
      child.on('message', (message: Reply | Started) => {
        if (message.type === 'started') return resolve(message);
        this.waiting.get(message.id)?.resolve(message);
        this.waiting.delete(message.id);
      });
      child.once('exit', (code, signal) => {
        const error = new Error(`the ${label} process exited (${signal ?? code})`);
        reject(error);
        for (const waiter of this.waiting.values()) waiter.reject(error);
        this.waiting.clear();
      });
    });
    // Nobody may await `started` after a failure elsewhere; the rejection is reported where it is awaited.
    this.started.catch(() => undefined);
  }

  /** `cpuProfileDir`: write a V8 CPU profile of the process there when it exits. */
  static fork<R extends Request>(label: string, script: string, args: string[] = [], cpuProfileDir?: string): ServerProcess<R> {
    const child = fork(script, args, {
      execArgv: ['--import', 'tsx', ...(cpuProfileDir ? ['--cpu-prof', `--cpu-prof-dir=${cpuProfileDir}`] : [])],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    return new ServerProcess<R>(label, child);
  }

  async call<T extends Reply['type']>(request: Body<R>, expect: T): Promise<ReplyOf<T>> {
    const id = this.nextId++;
    const reply = await new Promise<Reply>((resolve, reject) => {
      if (this.exited()) return reject(new Error(`the ${this.label} process has exited`));
      this.waiting.set(id, { resolve, reject });
      this.child.send({ ...request, id });
    });
    if (reply.type === 'error') throw new Error(`${this.label} process: ${reply.message}`);
    if (reply.type !== expect) throw new Error(`${this.label} process answered ${reply.type}, expected ${expect}`);
    return reply as ReplyOf<T>;
  }

  /** Peak (VmHWM) and current (VmRSS) resident memory, from the kernel's own accounting. */
  memory(): { peakRssMiB: number; rssMiB: number } {
    const status = readFileSync(`/proc/${this.child.pid}/status`, 'utf8');
    const mib = (field: string) => {
      const kib = Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? Number.NaN);
      return Math.round((kib / 1024) * 10) / 10;
    };
    return { peakRssMiB: mib('VmHWM'), rssMiB: mib('VmRSS') };
  }

  /** Asks the process to stop, gives it a moment to exit on its own (a CPU profile is written then), then kills it. */
  async stop(): Promise<void> {
    if (this.exited()) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    await this.call({ type: 'stop' } as Body<R>, 'stopped').catch(() => undefined);
    await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 10_000))]);
    if (!this.exited()) this.child.kill('SIGKILL');
  }

  private exited(): boolean {
    return this.child.exitCode !== null || this.child.signalCode !== null;
  }
}
