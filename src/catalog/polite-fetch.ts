import * as fs from 'node:fs';
import * as path from 'node:path';
import axios from 'axios';
import { sha256Of, writeFileAtomic } from '../runtime/atomic-file';
import { BlockedAddressError, type AddressPolicy } from './address-guard';
import { SourceError } from './source-error';

export interface HttpOptions {
  /** pause between two requests to the same host, ms */
  delayMs: number;
  /** per request, from connecting to the last byte, ms: a server that sends slowly cannot hold a request past it */
  timeoutMs: number;
  /** largest page read, bytes; a larger one fails the source at once */
  maxBytes: number;
  /** tries per page, the first included */
  attempts: number;
  /** first wait before a retry, doubled each time, ms */
  backoffMs: number;
  /** a Retry-After longer than this fails the attempt (retryable) instead of waiting, ms */
  maxRetryAfterMs: number;
  userAgent: string;
}

export const DEFAULT_HTTP: HttpOptions = {
  delayMs: 1000,
  timeoutMs: 20_000,
  maxBytes: 10 * 1024 * 1024,
  attempts: 4,
  backoffMs: 1000,
  maxRetryAfterMs: 120_000,
  userAgent: 'wrapped-etl/0.1 (synthetic listening-history generator; catalog import; +https://github.com/wrapped-etl)',
};

export interface FetchEvents {
  /** a retry is coming; for logs and heartbeats */
  onRetry?: (info: { url: string; attempt: number; waitMs: number; why: string }) => void;
  onFetch?: (info: { url: string; fromCache: boolean }) => void;
}

export interface FetchOptions extends FetchEvents {
  cacheDir: string;
  http?: Partial<HttpOptions>;
  signal?: AbortSignal;
  /** where the request may connect (checked on every connection, redirects included); undefined: anywhere */
  addresses?: AddressPolicy;
}

/** One request at a time per host, process-wide: each host's queue and when it was last asked. */
const hosts = new Map<string, { queue: Promise<unknown>; lastAt: number }>();

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(done, ms);
    function done(): void {
      signal?.removeEventListener('abort', abort);
      resolve();
    }
    function abort(): void {
      clearTimeout(timer);
      reject(signal!.reason);
    }
    signal?.addEventListener('abort', abort, { once: true });
  });
}

/** Retry-After as ms: seconds or an HTTP date. */
function retryAfterMs(header: unknown, now = Date.now()): number | undefined {
  if (typeof header !== 'string' || header.trim() === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(header.trim())) return Number(header) * 1000;
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

export function cachePathFor(cacheDir: string, url: string): string {
  return path.join(cacheDir, `${sha256Of(url).slice(0, 32)}.html`);
}

/** A fetched page: its bytes, and the charset its Content-Type named (decoding is the parser's job). */
export interface Page {
  body: Buffer;
  charset?: string;
}

function charsetOf(contentType: unknown): string | undefined {
  return typeof contentType === 'string' ? /charset=["']?([\w.:-]+)/i.exec(contentType)?.[1] : undefined;
}

/**
 * GETs a page politely: a User-Agent naming the project, one request at a time per
 * host with a pause between, a timeout, retries with exponential backoff on network
 * errors, 429 (honouring Retry-After) and 5xx; other 4xx fail at once. A fetched page
 * is kept in cacheDir, so a retried or resumed run reads it from there.
 */
export async function fetchPage(source: string, url: string, opts: FetchOptions): Promise<Page> {
  const http = { ...DEFAULT_HTTP, ...opts.http };
  const cached = cachePathFor(opts.cacheDir, url);
  const meta = cached.replace(/\.html$/, '.json');
  if (fs.existsSync(cached)) {
    opts.onFetch?.({ url, fromCache: true });
    const { charset } = fs.existsSync(meta) ? (JSON.parse(fs.readFileSync(meta, 'utf8')) as { charset?: string }) : {};
    return { body: fs.readFileSync(cached), charset };
  }
  let host: string;
  try {
    const parsed = new URL(url);
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new Error('not http(s)');
    host = parsed.host;
  } catch {
    throw new SourceError(source, `not a valid http:// or https:// URL: ${JSON.stringify(url)}`);
  }
  const slot = hosts.get(host) ?? { queue: Promise.resolve(), lastAt: 0 };
  hosts.set(host, slot);
  const mine = slot.queue.then(() => fetchWithRetries(source, url, http, slot, opts));
  slot.queue = mine.catch(() => undefined);
  const page = await mine;
  writeFileAtomic(meta, JSON.stringify({ url, charset: page.charset }) + '\n');
  writeFileAtomic(cached, page.body);
  return page;
}

async function fetchWithRetries(
  source: string,
  url: string,
  http: HttpOptions,
  slot: { lastAt: number },
  opts: FetchOptions,
): Promise<Page> {
  const agents = opts.addresses?.agents();
  let lastProblem = '';
  for (let attempt = 1; attempt <= http.attempts; attempt++) {
    const wait = slot.lastAt + http.delayMs - Date.now();
    if (wait > 0) await sleep(wait, opts.signal);
    let retryWait = http.backoffMs * 2 ** (attempt - 1);
    try {
      opts.onFetch?.({ url, fromCache: false });
      const res = await getWithDeadline(url, http, opts.signal, agents);
      if (res.status >= 200 && res.status < 300) return { body: Buffer.from(res.data), charset: charsetOf(res.headers['content-type']) };
      lastProblem = `HTTP ${res.status}${res.statusText ? ` ${res.statusText}` : ''}`;
      if (res.status !== 429 && res.status < 500) {
        throw new SourceError(source, `GET ${url} answered ${lastProblem}; not retried (a ${res.status} will not change by asking again)`);
      }
      const after = retryAfterMs(res.headers['retry-after']);
      if (after !== undefined) {
        if (after > http.maxRetryAfterMs) {
          throw new SourceError(
            source,
            `GET ${url} answered ${lastProblem} with Retry-After ${Math.round(after / 1000)} s, longer than this run waits; try again later`,
            true,
          );
        }
        retryWait = Math.max(after, 0);
      }
    } catch (err) {
      if (err instanceof SourceError) throw err;
      if (opts.signal?.aborted) throw err;
      const blocked = blockedCause(err);
      if (blocked) throw new SourceError(source, `GET ${url} refused: ${blocked.message}`);
      if (tooLarge(err))
        throw new SourceError(source, `GET ${url}: the page is larger than ${http.maxBytes} bytes, the most a worker reads; not retried`);
      lastProblem = describeNetworkError(err, http.timeoutMs);
    } finally {
      slot.lastAt = Date.now();
    }
    if (attempt < http.attempts) {
      opts.onRetry?.({ url, attempt, waitMs: retryWait, why: lastProblem });
      await sleep(retryWait, opts.signal);
    }
  }
  throw new SourceError(source, `GET ${url} failed ${http.attempts} times, last: ${lastProblem}`, true);
}

/**
 * One GET with one deadline from start to last byte: a plain timer aborts it, whatever
 * the server sends meanwhile (axios' own timeout counts only idle time, and an
 * AbortSignal.any of a timeout signal can be collected before it fires on Node 20).
 */
async function getWithDeadline(
  url: string,
  http: HttpOptions,
  outer: AbortSignal | undefined,
  agents: ReturnType<AddressPolicy['agents']> | undefined,
) {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new DeadlineError(http.timeoutMs)), http.timeoutMs);
  const abortFromOuter = () => controller.abort(outer!.reason);
  outer?.addEventListener('abort', abortFromOuter, { once: true });
  try {
    return await axios.get<ArrayBuffer>(url, {
      responseType: 'arraybuffer',
      signal: controller.signal,
      headers: { 'User-Agent': http.userAgent, Accept: 'text/html,application/xhtml+xml;q=0.9,*/*;q=0.5' },
      validateStatus: () => true,
      maxContentLength: http.maxBytes,
      maxRedirects: 5,
      proxy: false,
      ...(agents && { httpAgent: agents.http, httpsAgent: agents.https }),
      beforeRedirect: (options: Record<string, unknown>) => {
        if (options.protocol !== 'http:' && options.protocol !== 'https:')
          throw new Error(`redirect to ${String(options.protocol)} refused: only http and https`);
      },
    });
  } catch (err) {
    if (controller.signal.reason instanceof DeadlineError && !outer?.aborted) throw controller.signal.reason;
    throw err;
  } finally {
    clearTimeout(timer);
    outer?.removeEventListener('abort', abortFromOuter);
  }
}

class DeadlineError extends Error {
  readonly code = 'ETIMEDOUT';
  constructor(ms: number) {
    super(`no complete answer within ${ms} ms`);
  }
}

function causes(err: unknown): unknown[] {
  const list: unknown[] = [];
  for (let e = err; e && list.length < 5; e = (e as { cause?: unknown }).cause) list.push(e);
  return list;
}

function blockedCause(err: unknown): BlockedAddressError | undefined {
  return causes(err).find(
    (e): e is BlockedAddressError => e instanceof BlockedAddressError || (e as { code?: string }).code === 'ERR_ADDRESS_BLOCKED',
  );
}

function tooLarge(err: unknown): boolean {
  return causes(err).some((e) => /maxContentLength size of \d+ exceeded/.test((e as Error).message ?? ''));
}

function describeNetworkError(err: unknown, timeoutMs: number): string {
  const e = err as Error & { code?: string };
  if (e.code === 'ECONNABORTED' || e.code === 'ETIMEDOUT' || e.name === 'CanceledError' || e.name === 'TimeoutError')
    return `no complete answer within ${timeoutMs} ms`;
  return e.code ? `${e.code} ${e.message}` : e.message;
}
