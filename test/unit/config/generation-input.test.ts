import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  DEFAULTS,
  MODELLED_RECORDS_PER_USER_YEAR,
  resolveGenerationInput,
  SHARD_MIN_RECORDS,
  SHARD_TARGET_RECORDS,
  shardCount,
  shardUserRange,
} from '../../../src/config/generation-input';
import { resolveRunDir } from '../../../src/runtime/data-root';
import { resolveWorldInput } from '../../../src/config/world-input';
import { inputFromFlags } from '../../../cli/generation-flags';
import { makeTmpDir } from '../../helpers/tmp-dir';
import { refusal } from '../../helpers/input-refusal';

describe('resolveGenerationInput', () => {
  it('turns {} into all defaults, the run id included', () => {
    const p = resolveGenerationInput({}, 'wf-1');
    expect(p).toMatchObject({
      users: DEFAULTS.users,
      seed: 42,
      catalog: ['synthetic:40000'],
      sessionsPerUser: null,
      sessionHours: null,
      runId: 'wf-1',
      format: ['avro'],
      schemaVersion: 1,
      resume: null,
    });
    expect(resolveGenerationInput(undefined, 'wf-1')).toEqual(p);
  });

  it('names the field and the problem for bad values', () => {
    expect(refusal(() => resolveGenerationInput({ users: 0 }, 'w'))).toMatch(/^users: must be between 1 and/);
    expect(refusal(() => resolveGenerationInput({ users: 2.5 }, 'w'))).toMatch(/^users: must be a whole number, got 2.5/);
    expect(refusal(() => resolveGenerationInput({ users: '10' }, 'w'))).toMatch(/^users: must be a whole number/);
    expect(refusal(() => resolveGenerationInput({ sessionHours: '3-1' }, 'w'))).toMatch(/^sessionHours: needs 0 < min <= max/);
    expect(refusal(() => resolveGenerationInput({ from: '2025-02-30' }, 'w'))).toMatch(/^from: must be a date YYYY-MM-DD/);
    expect(refusal(() => resolveGenerationInput({ from: '2025-05-01', to: '2025-04-01' }, 'w'))).toMatch(/^to: must not be before from/);
    expect(refusal(() => resolveGenerationInput({ format: 'avro,orc' }, 'w'))).toMatch(/^format: unknown format "orc"/);
    expect(refusal(() => resolveGenerationInput({ parquetCodec: 'lz4' }, 'w'))).toMatch(
      /^parquetCodec: unknown Parquet codec .*lz4.*; known: snappy, zstd/,
    );
    expect(refusal(() => resolveGenerationInput({ avroCodec: 'zstd' }, 'w'))).toMatch(
      /^avroCodec: unknown AVRO codec .*zstd.*; known: deflate, snappy, zstandard/,
    );
    expect(refusal(() => resolveGenerationInput({ countries: ['sweden'] }, 'w'))).toMatch(/^countries: "sweden" is not an ISO/);
    expect(refusal(() => resolveGenerationInput({ axisStrength: { loyalty: 2 } }, 'w'))).toMatch(
      /^axisStrength.loyalty: must be a number from 0 to 1/,
    );
    expect(refusal(() => resolveGenerationInput({ runId: '../escape' }, 'w'))).toMatch(/^runId: must be 1-128 letters/);
    expect(refusal(() => resolveGenerationInput({ colour: 'red' }, 'w'))).toMatch(/^colour: unknown field/);
    expect(refusal(() => resolveGenerationInput([1, 2], 'w'))).toMatch(/^input: must be one JSON object/);
  });

  it('accepts the string forms the CLI and the Web UI give', () => {
    const p = resolveGenerationInput({ sessionHours: '1-3', format: 'avro,parquet', catalog: 'synthetic:10,synthetic:20' }, 'w');
    expect(p.sessionHours).toEqual([1, 3]);
    expect(p.format).toEqual(['avro', 'parquet']);
    // the codec appears in the params only when given: other runs' params stay as they were
    expect('parquetCodec' in p).toBe(false);
    expect('avroCodec' in p).toBe(false);
    expect(resolveGenerationInput({ parquetCodec: 'zstd' }, 'w').parquetCodec).toBe('zstd');
    expect(resolveGenerationInput({ avroCodec: 'snappy' }, 'w').avroCodec).toBe('snappy');
    expect(p.catalog).toEqual(['synthetic:10', 'synthetic:20']);
  });

  it('sizes default shards by the expected records, keeping at least 8 shards of at least 25k records, evened out; an explicit shardSize wins', () => {
    const shards = (input: Parameters<typeof resolveGenerationInput>[0]) => shardCount(resolveGenerationInput(input, 'wf'));
    // the listening-volume model: MODELLED_RECORDS_PER_USER_YEAR records per user and year, ~250k records per shard
    const byWork = Math.ceil(SHARD_TARGET_RECORDS / MODELLED_RECORDS_PER_USER_YEAR);
    expect(byWork).toBe(42);
    expect(resolveGenerationInput({ users: 100_000 }, 'wf').shardSize).toBe(Math.ceil(100_000 / Math.ceil(100_000 / byWork)));
    expect(shards({ users: 100_000 })).toBe(Math.ceil(100_000 / byWork));
    // a shorter period, fewer records per user: more users per shard
    expect(resolveGenerationInput({ users: 100_000, from: '2025-01-01', to: '2025-01-31' }, 'wf').shardSize).toBe(
      Math.ceil(100_000 / Math.ceil(100_000 / Math.ceil(SHARD_TARGET_RECORDS / ((MODELLED_RECORDS_PER_USER_YEAR * 31) / 365)))),
    );
    // sessionsPerUser given: ~460 records per user of 20 uniform 0.5-2 h sessions, ~545 users per shard, evened out
    const old = { sessionsPerUser: 20, sessionHours: [0.5, 2] as [number, number] };
    expect(Math.ceil(SHARD_TARGET_RECORDS / ((20 * (1.25 * 3600)) / 196))).toBe(545);
    expect(resolveGenerationInput({ users: 100_000, ...old }, 'wf').shardSize).toBe(544);
    // no small last shard: 7,138 users make 14 shards of 510 (not 13 of 545 and one of 53)
    expect(resolveGenerationInput({ users: 7_138, ...old }, 'wf').shardSize).toBe(510);
    // twice the sessions, half the users per shard
    expect(resolveGenerationInput({ users: 100_000, ...old, sessionsPerUser: 40 }, 'wf').shardSize).toBe(
      Math.ceil(SHARD_TARGET_RECORDS / ((40 * (1.25 * 3600)) / 196)),
    );
    // 8 shards as long as each carries >= SHARD_MIN_RECORDS expected records...
    expect(shards({ users: 1_000 })).toBe(24);
    expect(shards({ users: 1_000, ...old })).toBe(8);
    expect(resolveGenerationInput({ users: 1_000, ...old }, 'wf').shardSize).toBe(125);
    // ...fewer, fuller shards below that, and one shard for a run smaller than one such shard
    expect(shards({ users: 300, ...old })).toBe(6);
    expect(shards({ users: 100 })).toBe(8);
    expect(Math.ceil(SHARD_MIN_RECORDS / MODELLED_RECORDS_PER_USER_YEAR)).toBe(5);
    expect(resolveGenerationInput({ users: 3 }, 'wf').shardSize).toBe(3);
    expect(shards({ users: 3 })).toBe(1);
    expect(resolveGenerationInput({ users: 100_000, shardSize: 100 }, 'wf').shardSize).toBe(100);
  });

  it('splits users 1..N into shards that cover each id once', () => {
    const p = { users: 25, shardSize: 10 };
    expect(shardCount(p)).toBe(3);
    expect([0, 1, 2].map((s) => shardUserRange(p, s))).toEqual([
      { first: 1, last: 10 },
      { first: 11, last: 20 },
      { first: 21, last: 25 },
    ]);
  });
});

describe('output confinement under the data root', () => {
  it('keeps runs under the root and rejects escapes', () => {
    expect(resolveRunDir('/data', 'nightly', 'r1')).toBe('/data/nightly/r1');
    expect(refusal(() => resolveRunDir('/data', '../etc', 'r1'))).toMatch(/^out: "..\/etc" is outside the data root/);
    expect(refusal(() => resolveRunDir('/data', '/etc', 'r1'))).toMatch(/^out: "\/etc" is outside the data root/);
    expect(resolveRunDir('/data', '/data/sub', 'r1')).toBe('/data/sub/r1');
    expect(resolveRunDir('/data', '..nightly', 'r1')).toBe('/data/..nightly/r1');
    expect(refusal(() => resolveRunDir('/data', '..', 'r1'))).toMatch(/^out: ".." is outside the data root/);
  });

  it('takes a data root reached through a symbolic link, and refuses what resolves outside it', () => {
    const tmp = makeTmpDir();
    try {
      const data = path.join(tmp.dir, 'data');
      const outside = path.join(tmp.dir, 'outside');
      fs.mkdirSync(path.join(data, 'nightly'), { recursive: true });
      fs.mkdirSync(outside);
      const link = path.join(tmp.dir, 'link');
      fs.symlinkSync(data, link);
      expect(resolveRunDir(link, 'nightly', 'r1')).toBe(path.join(data, 'nightly', 'r1'));
      expect(resolveRunDir(link, 'new/deeper', 'r1')).toBe(path.join(data, 'new', 'deeper', 'r1'));
      expect(resolveRunDir(link, path.join(link, 'nightly'), 'r1')).toBe(path.join(data, 'nightly', 'r1'));
      expect(resolveRunDir(link, path.join(data, 'nightly'), 'r1')).toBe(path.join(data, 'nightly', 'r1'));
      expect(refusal(() => resolveRunDir(link, '../outside', 'r1'))).toMatch(/^out: "..\/outside" is outside the data root/);
      // a symbolic link under the root that leads out of it, as out or as the run folder itself
      fs.symlinkSync(outside, path.join(data, 'escape'));
      fs.symlinkSync(outside, path.join(data, 'nightly', 'r2'));
      expect(refusal(() => resolveRunDir(link, 'escape', 'r1'))).toMatch(
        /^out: "escape" leads outside the data root .* through a symbolic link/,
      );
      expect(refusal(() => resolveRunDir(data, 'escape/sub', 'r1'))).toMatch(/^out: "escape\/sub" leads outside the data root/);
      expect(refusal(() => resolveRunDir(link, 'nightly', 'r2'))).toMatch(
        /^runId: .* leads outside the data root .* through a symbolic link/,
      );
      // one whose target does not exist yet: writing through it would create the target outside
      fs.symlinkSync(path.join(outside, 'not-yet', 'deeper'), path.join(data, 'dangling'));
      expect(refusal(() => resolveRunDir(data, 'dangling', 'r1'))).toMatch(/^out: "dangling" leads outside the data root/);
      expect(refusal(() => resolveRunDir(link, 'dangling/sub', 'r1'))).toMatch(/^out: "dangling\/sub" leads outside the data root/);
      // ...and one that stays inside is followed
      fs.symlinkSync(path.join(data, 'later'), path.join(data, 'inside'));
      expect(resolveRunDir(link, 'inside', 'r1')).toBe(path.join(data, 'later', 'r1'));
    } finally {
      tmp.cleanup();
    }
  });
});

describe('generation flags', () => {
  it('maps flags onto input fields, flags over --input', () => {
    const input = inputFromFlags({
      users: '5',
      catalog: ['csv:a.csv', 'synthetic:9'],
      countries: 'se=3,NO',
      input: '{"users": 9, "seed": 3}',
    });
    expect(input).toEqual({ users: 5, seed: 3, catalog: ['csv:a.csv', 'synthetic:9'], countries: { SE: 3, NO: 1 } });
  });
});

describe('resolveWorldInput', () => {
  it('says start is required when it is missing, and what it must be when it is wrong', () => {
    expect(refusal(() => resolveWorldInput({ name: 'w' }))).toBe('start: is required: the first day, YYYY-MM-DD');
    expect(refusal(() => resolveWorldInput({ name: 'w', start: 20250101 }))).toBe('start: must be the first day, YYYY-MM-DD, got 20250101');
  });
});
