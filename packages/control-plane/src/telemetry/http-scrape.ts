/** One HTTP scrape: GET the target's exposition text with a timeout and a body size limit. */

export const EXPOSITION_ACCEPT = 'text/plain;version=0.0.4;q=1,*/*;q=0.1';

export interface ScrapeRequest {
  url: string;
  /** Aborts the scrape (the scraper is stopping). */
  signal: AbortSignal;
  timeoutMs: number;
  maxBodyBytes: number;
  fetch: typeof fetch;
}

/** The body text; throws an Error whose message says why the scrape failed. */
export async function fetchExposition(request: ScrapeRequest): Promise<string> {
  const signal = AbortSignal.any([request.signal, AbortSignal.timeout(request.timeoutMs)]);
  const describe = (error: unknown) => new Error(describeFetchError(error, request.timeoutMs));
  let response: Response;
  try {
    response = await request.fetch(request.url, { signal, headers: { accept: EXPOSITION_ACCEPT } });
  } catch (error) {
    throw describe(error);
  }
  if (!response.ok) {
    await response.body?.cancel().catch(() => {});
    throw new Error(`HTTP ${response.status} ${response.statusText}`.trim());
  }
  const declared = Number(response.headers.get('content-length'));
  if (declared > request.maxBodyBytes) {
    await response.body?.cancel().catch(() => {});
    throw new Error(`body of ${declared} bytes is over the ${request.maxBodyBytes}-byte limit`);
  }
  if (!response.body) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    let chunk: Awaited<ReturnType<typeof reader.read>>;
    try {
      chunk = await reader.read();
    } catch (error) {
      throw describe(error);
    }
    if (chunk.done) break;
    total += chunk.value.byteLength;
    if (total > request.maxBodyBytes) {
      await reader.cancel().catch(() => {});
      throw new Error(`body is over the ${request.maxBodyBytes}-byte limit`);
    }
    chunks.push(chunk.value);
  }
  return Buffer.concat(chunks, total).toString('utf8');
}

function describeFetchError(error: unknown, timeoutMs: number): string {
  if (!(error instanceof Error)) return String(error);
  if (error.name === 'TimeoutError') return `timed out after ${timeoutMs} ms`;
  if (error.name === 'AbortError') return 'aborted';
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  const detail = cause?.code ?? cause?.message;
  return detail ? `${error.message}: ${detail}` : error.message;
}
