import * as fs from 'node:fs';
import * as path from 'node:path';
import { timedCli } from './run-cli';

export type ExportKind = 'folder' | 'zip';

export interface ExportFigures {
  /** streams / seconds of the whole `wrapped-etl export` command (start-up included) */
  streamsPerSec: number;
  seconds: number;
  cpuSeconds: number;
  /** peak RSS of the export's process with its pool threads */
  peakRssMb: number;
  streams: number;
  /** bytes of JSON written */
  bytes: number;
}

/**
 * `wrapped-etl export RUN --format spotify-extended --out OUT --json` of a finished run under
 * `dataRoot`, every user, into a folder or a zip (each removed after): what a user runs.
 */
export async function measureExport(dataRoot: string, run: string, kind: ExportKind): Promise<ExportFigures> {
  const out = path.join(dataRoot, kind === 'zip' ? 'bench-export.zip' : 'bench-export');
  try {
    const t = await timedCli(['export', run, '--format', 'spotify-extended', '--out', out, '--json'], dataRoot);
    const report = JSON.parse(t.stdout) as { streams: number; bytes: number };
    return {
      streamsPerSec: Math.round(report.streams / t.seconds),
      seconds: Math.round(t.seconds * 1000) / 1000,
      cpuSeconds: Math.round(t.cpuSeconds * 1000) / 1000,
      peakRssMb: t.peakRssMb,
      streams: report.streams,
      bytes: report.bytes,
    };
  } finally {
    fs.rmSync(out, { recursive: true, force: true });
  }
}
