import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AddressPolicy } from '../../../src/catalog/address-guard';
import { headerRowCount, type GridRow } from '../../../src/catalog/html-table';
import type { DEFAULT_HTTP } from '../../../src/catalog/polite-fetch';
import { readSource, SourceError, type IngestContext } from '../../../src/catalog/sources';
import { PageServer } from '../../helpers/page-server';
import { makeTmpDir } from '../../helpers/tmp-dir';

const FAST = { delayMs: 0, backoffMs: 50, timeoutMs: 2000, attempts: 1 };

describe('html: fetches from workflow input reach only allowed addresses and stay bounded (real servers on 127.0.0.1 and 127.0.0.2)', () => {
  let server: PageServer;
  let internal: PageServer;
  const tmp = makeTmpDir('security-fetch-');
  let n = 0;
  const ctx = (addresses: AddressPolicy | undefined, http: Partial<typeof DEFAULT_HTTP> = FAST): IngestContext => ({
    seed: 1,
    currentYear: 2025,
    cacheDir: path.join(tmp.dir, `cache-${n++}`),
    http,
    addresses,
  });
  const fail = (spec: string, c: IngestContext) =>
    readSource(spec, c).then(
      () => undefined,
      (e: unknown) => e as SourceError,
    );
  const onlyServer = () => new AddressPolicy('127.0.0.1');

  beforeAll(async () => {
    server = await new PageServer().start();
    internal = await new PageServer('127.0.0.2').start();
  });
  afterAll(async () => {
    await server.stop();
    await internal.stop();
    tmp.cleanup();
  });

  it('refuses loopback, by address, by name (DNS) and IPv4-mapped IPv6, without connecting', async () => {
    const none = new AddressPolicy('');
    for (const url of [
      server.url('/plain.html'),
      `http://localhost:${server.port}/plain.html`,
      `http://[::ffff:127.0.0.1]:${server.port}/plain.html`,
      `http://[::1]:${server.port}/plain.html`,
    ]) {
      const err = await fail(`html:${url}`, ctx(none));
      expect(err, url).toBeInstanceOf(SourceError);
      expect(err!.retryable, url).toBe(false);
      expect(err!.message, url).toMatch(/refused: .*loopback, private, link-local or metadata address/);
    }
    expect(server.hitsOf('/plain.html')).toHaveLength(0);
  });

  it('checks every redirect: an allowed server cannot bounce the request to an internal one', async () => {
    const err = await fail(`html:${server.url(`/redirect?to=${encodeURIComponent(internal.url('/plain.html'))}`)}`, ctx(onlyServer()));
    expect(err!.message).toMatch(/127\.0\.0\.2 is a loopback/);
    expect(internal.hits).toHaveLength(0);
    const { songs } = await readSource(
      `html:${server.url(`/redirect?to=${encodeURIComponent(server.url('/plain.html'))}`)}`,
      ctx(onlyServer()),
    );
    expect(songs.length).toBeGreaterThan(0);
  });

  it('accepts only http and https', async () => {
    for (const url of ['file:///etc/passwd', 'ftp://127.0.0.1/x', 'gopher://127.0.0.1:70/']) {
      const err = await fail(`html:${url}`, ctx(onlyServer()));
      expect(err!.message, url).toMatch(/http:\/\/ or https:\/\//);
    }
  });

  it('one deadline per request: a server dripping a byte every 100 ms cannot hold it past timeoutMs', async () => {
    const started = Date.now();
    const err = await fail(`html:${server.url('/drip')}`, ctx(onlyServer(), { ...FAST, timeoutMs: 700, attempts: 2 }));
    const took = Date.now() - started;
    expect(err!.message).toMatch(/failed 2 times, last: no complete answer within 700 ms/);
    // each attempt waited its whole deadline; and ended there: the drip goes on for ever, so a deadline renewed by
    // every byte would never end. Two deadlines and a backoff take ~1.45 s: the bound leaves 5x for a loaded machine.
    expect(took).toBeGreaterThanOrEqual(1400);
    expect(took).toBeLessThan(5 * (2 * 700 + FAST.backoffMs));
  });

  it('fails at once, saying why, on a page too large or with too many rows', async () => {
    const big = await fail(`html:${server.url(`/bytes?n=${3 * 1024 * 1024}`)}`, ctx(onlyServer(), { ...FAST, maxBytes: 1024 * 1024 }));
    expect(big!.retryable).toBe(false);
    expect(big!.message).toMatch(/larger than 1048576 bytes/);
    const rows = await fail(`html:${server.url('/rows?n=150000')}`, ctx(onlyServer(), { ...FAST, maxBytes: 50 * 1024 * 1024 }));
    expect(rows!.message).toMatch(/has 150001 table rows, more than the 100000/);
    const { songs } = await readSource(`html:${server.url('/rows?n=5000')}`, ctx(onlyServer()));
    expect(songs).toHaveLength(5000);
  });

  it('has no stack-size hazard on a table of 400k rows', () => {
    const rows: GridRow[] = Array.from({ length: 400_000 }, (_, i) => ({ rowNumber: i + 1, cells: [], inHead: i === 0, inFoot: false }));
    expect(headerRowCount(rows)).toBe(1);
  });
});
