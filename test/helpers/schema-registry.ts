import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { freePort } from '../../bench/free-port';
import { signalGroup } from './server-process';
import { apicurioJar } from './test-tools';
import { makeTmpDir } from './tmp-dir';

const START_TIMEOUT_MS = 180_000;

export interface SchemaRegistry {
  /** the Confluent-compatible API's base URL, for --schema-registry */
  url: string;
  stop: () => Promise<void>;
}

/** Apicurio Registry (in-memory storage) on a free loopback port, from the jar test-tools provisions; resolves once it answers. */
export async function startSchemaRegistry(): Promise<SchemaRegistry> {
  const tmp = makeTmpDir('wrapped-etl-registry-');
  const port = await freePort();
  const logFile = path.join(tmp.dir, 'registry.log');
  const log = fs.openSync(logFile, 'w');
  const child = spawn('java', ['-Xmx384m', `-Dquarkus.http.port=${port}`, '-Dquarkus.http.host=127.0.0.1', '-jar', apicurioJar()], {
    detached: true,
    stdio: ['ignore', log, log],
    cwd: tmp.dir,
  });
  fs.closeSync(log);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const killGroup = () => signalGroup(child, 'SIGKILL');
  process.once('exit', killGroup);
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      killGroup();
      await exited;
    }
    process.off('exit', killGroup);
    tmp.cleanup();
  };
  const url = `http://127.0.0.1:${port}/apis/ccompat/v7`;
  const deadline = Date.now() + START_TIMEOUT_MS;
  for (;;) {
    const up = await fetch(`${url}/subjects`).then(
      (r) => r.ok,
      () => false,
    );
    if (up) return { url, stop };
    if (child.exitCode !== null || Date.now() > deadline) {
      const text = fs.readFileSync(logFile, 'utf8');
      await stop();
      throw new Error(`the schema registry did not start (${child.exitCode ?? 'timeout'}): ${text.slice(-2000)}`);
    }
    await new Promise((r) => setTimeout(r, 500));
  }
}
