import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

export const CLI_PATH = path.join(__dirname, '..', '..', 'bin', 'wrapped-etl.js');

/** Runs the CLI to its end in `cwd` (its data root); its stdout. */
export function cli(args: string[], cwd: string, env: NodeJS.ProcessEnv = {}, node: string[] = []): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...node, CLI_PATH, ...args], {
      cwd,
      env: { ...process.env, WRAPPED_ETL_DATA_ROOT: cwd, LOG_LEVEL: 'warn', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0 ? resolve(out) : reject(new Error(`wrapped-etl ${args[0]} exited with ${code}: ${err.slice(-2000)}`)),
    );
  });
}

export interface TimedCommand {
  /** the whole command, start-up included */
  seconds: number;
  /** CPU seconds of its process, threads included */
  cpuSeconds: number;
  /** peak RSS of its process with its threads */
  peakRssMb: number;
  stdout: string;
}

/** Runs the CLI to its end with bench/report-peak-rss preloaded: its wall time, CPU time and peak RSS. */
export async function timedCli(args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): Promise<TimedCommand> {
  const rssFile = path.join(cwd, `.peak-rss-${process.pid}-${Date.now()}`);
  const t0 = performance.now();
  const stdout = await cli(args, cwd, { ...env, BENCH_PEAK_RSS_FILE: rssFile }, ['--require', path.join(__dirname, 'report-peak-rss.js')]);
  const seconds = (performance.now() - t0) / 1000;
  const child = JSON.parse(fs.readFileSync(rssFile, 'utf8')) as { maxRSS: number; cpuSeconds: number };
  fs.rmSync(rssFile, { force: true });
  return { seconds, cpuSeconds: child.cpuSeconds, peakRssMb: Math.round(child.maxRSS / 1024), stdout };
}
