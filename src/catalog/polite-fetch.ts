import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import axios from 'axios';
import { writeFileAtomic } from '../runtime/atomic-file';
import { SourceError } from './source-error';

export interface HttpOptions {
  /** pause between two requests to the same host, ms */
  delayMs: number;
  /** per request, ms */
  timeoutMs: number;
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
export function retryAfterMs(header: unknown, now = Date.now()): number | undefined {
  if (typeof header !== 'string' || header.trim() === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(header.trim())) return Number(header) * 1000;
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

export function cachePathFor(cacheDir: string, url: string): string {
  return path.join(cacheDir, `${crypto.createHash('sha256').update(url).digest('hex').slice(0, 32)}.html`);
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
export async function fetchPage(
  source: string,
  url: string,
  opts: { cacheDir: string; http?: Partial<HttpOptions>; signal?: AbortSignal } & FetchEvents,
): Promise<Page> {
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
    host = new URL(url).host;
  } catch {
    throw new SourceError(source, `not a valid URL: ${url}`);
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
  opts: { signal?: AbortSignal } & FetchEvents,
): Promise<Page> {
  let lastProblem = '';
  for (let attempt = 1; attempt <= http.attempts; attempt++) {
    const wait = slot.lastAt + http.delayMs - Date.now();
    if (wait > 0) await sleep(wait, opts.signal);
    let retryWait = http.backoffMs * 2 ** (attempt - 1);
    try {
      opts.onFetch?.({ url, fromCache: false });
      const res = await axios.get<ArrayBuffer>(url, {
        responseType: 'arraybuffer',
        timeout: http.timeoutMs,
        signal: opts.signal ? AbortSignal.any([opts.signal, AbortSignal.timeout(http.timeoutMs)]) : AbortSignal.timeout(http.timeoutMs),
        headers: { 'User-Agent': http.userAgent, Accept: 'text/html,application/xhtml+xml;q=0.9,*/*;q=0.5' },
        validateStatus: () => true,
        maxContentLength: 50 * 1024 * 1024,
        maxRedirects: 5,
      });
      if (res.status >= 200 && res.status < 300) return { body: Buffer.from(res.data), charset: charsetOf(res.headers['content-type']) };
      lastProblem = `HTTP ${res.status}${res.statusText ? ` ${res.statusText}` : ''}`;
      if (res.status !== 429 && res.status < 500) {
        throw new SourceError(source, `GET ${url} answered ${lastProblem}; not retried (a ${res.status} will not change by asking again)`);
      }
      const after = retryAfterMs(res.headers['retry-after']);
      if (after !== undefined) {
        if (after > http.maxRetryAfterMs) {
          throw new SourceError(source, `GET ${url} answered ${lastProblem} with Retry-After ${Math.round(after / 1000)} s, longer than this run waits; try again later`, true);
        }
        retryWait = Math.max(after, 0);
      }
    } catch (err) {
      if (err instanceof SourceError) throw err;
      if (opts.signal?.aborted) throw err;
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

function describeNetworkError(err: unknown, timeoutMs: number): string {
  const e = err as Error & { code?: string };
  if (e.code === 'ECONNABORTED' || e.code === 'ETIMEDOUT' || e.name === 'CanceledError' || e.name === 'TimeoutError') return `no answer within ${timeoutMs} ms`;
  return e.code ? `${e.code} ${e.message}` : e.message;
}
