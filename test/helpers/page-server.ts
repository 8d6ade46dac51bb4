import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';

const PAGES_DIR = path.join(__dirname, '../fixtures/catalog/pages');

export interface Hit {
  path: string;
  userAgent: string | undefined;
  at: number;
}

/**
 * A real HTTP server on 127.0.0.1 serving the fixture pages, plus misbehaving routes:
 * /flaky/* answers 500 first and then the page, /busy/* 429 with Retry-After: 1 first,
 * /hang never answers, /missing is 404, /always-500 fails every time, /latin1-* are
 * ISO-8859-1 pages declared by Content-Type or by <meta charset>, /drip sends one byte
 * every 100 ms for ever, /redirect?to=URL redirects, /rows?n=N is a table of N songs
 * and /bytes?n=N a page of N bytes.
 */
export class PageServer {
  readonly hits: Hit[] = [];
  private readonly server: http.Server;
  private readonly seen = new Map<string, number>();
  /** requests in flight, to check one-at-a-time per host */
  maxInFlight = 0;
  private inFlight = 0;

  constructor(private readonly host = '127.0.0.1') {
    this.server = http.createServer((req, res) => this.handle(req, res));
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, this.host, resolve));
    return this;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  get base(): string {
    return `http://${this.host}:${this.port}`;
  }

  url(p: string): string {
    return `${this.base}${p}`;
  }

  hitsOf(p: string): Hit[] {
    return this.hits.filter((h) => h.path === p);
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const p = req.url ?? '/';
    this.hits.push({ path: p, userAgent: req.headers['user-agent'], at: Date.now() });
    const n = (this.seen.get(p) ?? 0) + 1;
    this.seen.set(p, n);
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    res.on('close', () => this.inFlight--);

    const page = (name: string): void => {
      const file = path.join(PAGES_DIR, name);
      if (!fs.existsSync(file)) {
        res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
        return;
      }
      // a little latency, so overlapping requests would show in maxInFlight
      setTimeout(() => res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(fs.readFileSync(file)), 20);
    };
    let m: RegExpExecArray | null;
    if (p === '/hang') return; // never answers
    const query = new URL(p, 'http://x').searchParams;
    if (p === '/drip') {
      res.writeHead(200, { 'content-type': 'text/html' });
      const timer = setInterval(() => res.write('<'), 100);
      res.on('close', () => clearInterval(timer));
      return;
    }
    if (p.startsWith('/redirect?')) return void res.writeHead(302, { location: query.get('to') ?? '/' }).end();
    if (p.startsWith('/rows?')) {
      const n = Number(query.get('n'));
      const rows = Array.from({ length: n }, (_, i) => `<tr><td>Song ${i}</td><td>Band ${i % 100}</td><td>1999</td></tr>`).join('\n');
      return void res
        .writeHead(200, { 'content-type': 'text/html' })
        .end(`<table><tr><th>Title</th><th>Artist</th><th>Year</th></tr>\n${rows}</table>`);
    }
    if (p.startsWith('/bytes?'))
      return void res.writeHead(200, { 'content-type': 'text/html' }).end(Buffer.alloc(Number(query.get('n')), 0x20));
    const latin1 = (meta: string) =>
      Buffer.from(
        `<html><head>${meta}</head><body><table><tr><th>Title</th><th>Artist</th></tr><tr><td>Déjà Vu</td><td>Beyoncé</td></tr></table></body></html>`,
        'latin1',
      );
    if (p === '/latin1-header') return void res.writeHead(200, { 'content-type': 'text/html; charset=ISO-8859-1' }).end(latin1(''));
    if (p === '/latin1-meta') return void res.writeHead(200, { 'content-type': 'text/html' }).end(latin1('<meta charset="windows-1252">'));
    if (p === '/missing') return void res.writeHead(404, { 'content-type': 'text/html' }).end('<h1>Not Found</h1>');
    if (p === '/always-500') return void res.writeHead(503).end('down');
    if ((m = /^\/flaky\/(.+)$/.exec(p))) return n === 1 ? void res.writeHead(500).end('oops') : page(m[1]);
    if ((m = /^\/busy\/(.+)$/.exec(p))) return n === 1 ? void res.writeHead(429, { 'retry-after': '1' }).end('slow down') : page(m[1]);
    page(p.slice(1));
  }
}
