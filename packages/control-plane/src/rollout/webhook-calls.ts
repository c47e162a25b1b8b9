import type { Canary, CanaryPhase, CanaryWebhookType } from '@ambit/shared';
import { AMBIT_GATE_URL, goDurationMs, webhooksOf } from './canary-model';
import type { RolloutCheck, RolloutEvent } from './rollout-status';

/**
 * Flagger's webhooks: a POST of `{name, namespace, phase, checksum, metadata}` (event webhooks:
 * metadata carries eventMessage, eventType and timestamp); a 2xx answer passes, anything else
 * (status, timeout, refused connection) fails.
 */

export const DEFAULT_WEBHOOK_TIMEOUT_MS = 60_000;
/** A webhook may hold a run for at most this long per call, whatever its `timeout` says. */
export const MAX_WEBHOOK_TIMEOUT_MS = 5 * 60_000;
/** Only the start of an answer is kept (for the failure message): a webhook cannot make the controller buffer a large body. */
const ANSWER_BYTES = 4096;

export interface WebhookResponse {
  status: number;
  text(): Promise<string>;
  body?: ReadableStream<Uint8Array> | null;
}

export type Fetch = (
  url: string,
  init: { method: string; headers: Record<string, string>; body: string; signal: AbortSignal; redirect: 'manual' },
) => Promise<WebhookResponse>;

export interface WebhookPayload {
  name: string;
  namespace: string;
  phase: CanaryPhase | undefined;
  checksum: string;
  metadata?: Record<string, string>;
}

async function post(fetcher: Fetch, url: string, payload: WebhookPayload, timeoutMs: number): Promise<{ ok: boolean; message: string }> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  try {
    const response = await fetcher(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(payload),
      signal: controller.signal,
      // A redirect is an answer like any other non-2xx one: the controller does not follow it elsewhere.
      redirect: 'manual',
    });
    const text = (await answerStart(response)).slice(0, 200);
    const ok = response.status >= 200 && response.status < 300;
    return { ok, message: ok ? `${response.status}` : `${response.status} ${text}`.trim() };
  } catch (error) {
    return { ok: false, message: controller.signal.aborted ? `timed out after ${timeoutMs} ms` : (error as Error).message };
  } finally {
    clearTimeout(timer);
  }
}

async function answerStart(response: WebhookResponse): Promise<string> {
  const reader = response.body?.getReader();
  if (!reader) return (await response.text()).slice(0, ANSWER_BYTES);
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    while (size < ANSWER_BYTES) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      size += value.byteLength;
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
  return Buffer.concat(chunks).subarray(0, ANSWER_BYTES).toString('utf8');
}

function timeoutOf(hook: { timeout?: string | undefined }): number {
  const asked = (hook.timeout ? goDurationMs(hook.timeout) : undefined) ?? DEFAULT_WEBHOOK_TIMEOUT_MS;
  return Math.min(asked, MAX_WEBHOOK_TIMEOUT_MS);
}

function payloadFor(canary: Canary, metadata: Record<string, string> | undefined): WebhookPayload {
  const status = canary.status as { phase?: CanaryPhase; lastAppliedSpec?: string } | undefined;
  return {
    name: canary.metadata.name,
    namespace: canary.metadata.namespace ?? 'default',
    phase: status?.phase,
    checksum: status?.lastAppliedSpec ?? '',
    ...(metadata ? { metadata } : {}),
  };
}

/** Calls every webhook of the type (Ambit's built-in gate is not called: it never passes by itself). */
export async function callWebhooks(canary: Canary, type: CanaryWebhookType, fetcher: Fetch): Promise<RolloutCheck[]> {
  const hooks = webhooksOf(canary, type).filter((h) => h.url !== AMBIT_GATE_URL);
  return Promise.all(
    hooks.map(async (hook): Promise<RolloutCheck> => {
      const answer = await post(fetcher, hook.url, payloadFor(canary, hook.metadata), timeoutOf(hook));
      return {
        name: hook.name,
        kind: 'webhook',
        value: null,
        passed: answer.ok,
        message: answer.ok ? `${type} ${hook.name} passed` : `${type} ${hook.name} failed: ${answer.message}`,
      };
    }),
  );
}

/** Event webhooks get every event; their answers change nothing. */
export async function sendEvent(canary: Canary, event: RolloutEvent, fetcher: Fetch): Promise<void> {
  const hooks = webhooksOf(canary, 'event');
  await Promise.all(
    hooks.map((hook) =>
      post(
        fetcher,
        hook.url,
        payloadFor(canary, { eventMessage: event.message, eventType: event.type, timestamp: String(Date.parse(event.time)) }),
        timeoutOf(hook),
      ),
    ),
  );
}
