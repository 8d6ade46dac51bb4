import { profileRun, type RunProfile } from '../../src/analytics/profile/run-profile';
import { AXES, NEGATIVE_POLE, POSITIVE_POLE } from '../../src/domain/personality';
import { expectPositionals, parseCommand, type CommandDef } from '../flags';
import { partProgress } from '../part-progress';
import { requireFinishedRun } from '../run-folder';

const PROFILE = {
  name: 'profile',
  args: 'RUN_DIR',
  about: `The fidelity profile of a generated run, computed from its AVRO part files alone:
each user's four axis scores inferred from behaviour (the personality field is read
only to compare with), per-axis and whole-type accuracy, the confusion matrix, the
interaction mix and skip rate, the local hour-of-day curve, session lengths and the
share of sessions away from home. RUN_DIR may be s3://bucket/prefix/RUN
(docs/storage.md).`,
  flags: {
    json: {
      type: 'boolean',
      help: 'print the whole profile, per-user scores included, as one JSON line\n(the RunProfile type of src/analytics/profile/run-profile.ts)',
    },
  },
} as const satisfies CommandDef;

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;

export function formatProfile(p: RunProfile): string {
  const lines: string[] = [];
  lines.push(`run ${p.runDir}: ${p.records} records, ${p.users} users, ${p.parts} part file(s); ranks against the ${p.reference}`);
  lines.push('', 'personality inferred from behaviour (accuracy; mean axis score by assigned pole, -1..1)');
  for (const a of AXES) {
    const m = p.meanScoreByPole[a];
    const pos = POSITIVE_POLE[a],
      neg = NEGATIVE_POLE[a];
    lines.push(`  ${a}  ${pct(p.accuracy[a]).padStart(6)}   ${pos} ${(m[pos] ?? NaN).toFixed(2)}   ${neg} ${(m[neg] ?? NaN).toFixed(2)}`);
  }
  lines.push(`  whole type ${pct(p.accuracy.type)}`);
  lines.push('', 'confusion (assigned -> inferred: users)');
  for (const [assigned, row] of Object.entries(p.confusion).sort(([a], [b]) => a.localeCompare(b))) {
    const cells = Object.entries(row)
      .sort(([, x], [, y]) => y - x)
      .map(([inferred, n]) => `${inferred === assigned ? '=' : inferred} ${n}`);
    lines.push(`  ${assigned.padEnd(18)} ${cells.join(', ')}`);
  }
  lines.push('', `interactions (skip rate ${pct(p.skipRate)})`);
  for (const [name, { count, share }] of Object.entries(p.interactions))
    lines.push(`  ${name.padEnd(18)} ${String(count).padStart(9)}  ${pct(share)}`);
  const peak = Math.max(...p.localHourCurve);
  lines.push('', 'events by local hour');
  p.localHourCurve.forEach((share, h) =>
    lines.push(`  ${String(h).padStart(2, '0')}h ${pct(share).padStart(6)} ${'#'.repeat(Math.round((share / (peak || 1)) * 40))}`),
  );
  const s = p.sessions;
  lines.push(
    '',
    `sessions ${s.count}: mean ${s.meanMinutes.toFixed(1)} min, p10 ${s.p10Minutes}, median ${s.medianMinutes}, p90 ${s.p90Minutes}, max ${s.maxMinutes.toFixed(1)}`,
  );
  lines.push(`travel: ${pct(p.travelShare)} of sessions away from the user's most frequent place`);
  return lines.join('\n') + '\n';
}

export async function run(argv: string[]): Promise<void> {
  const { values, positionals } = parseCommand(PROFILE, argv);
  const [runDir] = expectPositionals(PROFILE, positionals, 1, 'one run folder');
  await requireFinishedRun(runDir);
  const profile = await profileRun(runDir, partProgress('profile'));
  process.stdout.write(values.json ? JSON.stringify(profile) + '\n' : formatProfile(profile));
}
