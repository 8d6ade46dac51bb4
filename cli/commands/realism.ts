import { realismOfRun, type RunScorecard } from '../../src/analytics/realism/run-realism';
import type { Metric } from '../../src/analytics/realism/scorecard';
import { expectPositionals, parseCommand, type CommandDef } from '../flags';
import { requireFinishedRun } from '../run-folder';
import { partProgress } from '../part-progress';

const REALISM = {
  name: 'realism',
  args: 'RUN_DIR',
  about: `How realistic a generated run is, measured against published streaming data: the
skip curve, the local hour x weekday shape, sessions, per-user concentration and
replays, catalog concentration, volume per user, markets and devices. Computed
from the run's AVRO part files and its catalog checkpoint alone. Each metric has
its target, the accepted range, its source (see docs/realism.md) and pass/fail.
RUN_DIR may be s3://bucket/prefix/RUN (docs/storage.md).`,
  flags: {
    json: {
      type: 'boolean',
      help: 'print the scorecard as one JSON line\n{"runDir","parts","records","users","catalogSongs","catalogFrom","pass",\n"metrics":[{"id","label","value","target","min","max","unit","source","status"}],\n"hourDow":{"run","park2019"},"sources"} (docs/realism.md)',
    },
    check: { type: 'boolean', help: 'exit with code 1 when a metric is out of its range' },
  },
} as const satisfies CommandDef;

const SHARE_UNITS = new Set<Metric['unit']>(['share']);

function show(value: number | null, unit: Metric['unit']): string {
  if (value === null) return '-';
  if (SHARE_UNITS.has(unit)) return `${(100 * value).toFixed(1)}%`;
  if (unit === 'r' || unit === 'ratio') return value.toFixed(3);
  return value.toFixed(1);
}

function range(m: Metric): string {
  if (m.min === null && m.max === null) return 'reported';
  if (m.min !== null && m.max !== null)
    return m.min === m.max ? `= ${show(m.min, m.unit)}` : `${show(m.min, m.unit)} .. ${show(m.max, m.unit)}`;
  return m.min !== null ? `>= ${show(m.min, m.unit)}` : `<= ${show(m.max, m.unit)}`;
}

export function formatScorecard(card: RunScorecard): string {
  const lines = [
    `run ${card.runDir}: ${card.records} streams, ${card.users} users, ${card.parts} part file(s), catalog of ${card.catalogSongs} songs (${card.catalogFrom})`,
    '',
  ];
  const width = Math.max(...card.metrics.map((m) => m.id.length));
  for (const m of card.metrics) {
    const status = { pass: 'ok  ', fail: 'FAIL', info: 'info', 'n/a': 'n/a ' }[m.status];
    lines.push(
      `${status} ${m.id.padEnd(width)} ${show(m.value, m.unit).padStart(8)}  ${range(m).padEnd(18)} ${m.source.padEnd(14)} ${m.label}`,
    );
  }
  const failed = card.metrics.filter((m) => m.status === 'fail').length;
  lines.push('', failed ? `${failed} metric(s) out of range` : 'every metric in range', '', 'sources:');
  for (const [key, text] of Object.entries(card.sources)) lines.push(`  ${key}: ${text}`);
  return lines.join('\n') + '\n';
}

export async function run(argv: string[]): Promise<void> {
  const { values, positionals } = parseCommand(REALISM, argv);
  const [runDir] = expectPositionals(REALISM, positionals, 1, 'one run folder');
  await requireFinishedRun(runDir);
  const card = await realismOfRun(runDir, partProgress('realism'));
  process.stdout.write(values.json ? JSON.stringify(card) + '\n' : formatScorecard(card));
  if (values.check && !card.pass) {
    process.stderr.write(
      `wrapped-etl realism: ${card.metrics
        .filter((m) => m.status === 'fail')
        .map((m) => m.id)
        .join(', ')} out of range\n`,
    );
    process.exitCode = 1;
  }
}
