import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { DamagedFile } from '../../../src/domain/errors';
import {
  compactTime,
  firstParamDifference,
  resolveGenerationInput,
  scheduledTimeOf,
  type GenerationInput,
} from '../../../src/config/generation-input';
import { checkWorldName, parseWorldDefinition, resolveWorldAdvanceInput, resolveWorldInput } from '../../../src/config/world-input';
import { resolveWrappedInput } from '../../../src/config/wrapped-input';
import { resolveStreamInput } from '../../../src/config/stream-input';
import { registryBaseUrl, registrySubjectsUrl } from '../../../src/config/registry-url';
import { makeTmpDir } from '../../helpers/tmp-dir';
import { refusal } from '../../helpers/input-refusal';

// Every refusal names the field and says what was wrong: each case pins the whole "field: problem" text.

const generation = (input: unknown) => refusal(() => resolveGenerationInput(input, 'w'));
const resolved = (input: GenerationInput) => resolveGenerationInput(input, 'w');

describe('generation input: each field refused with its name and the reason', () => {
  it.each([
    [{ users: 0 }, 'users: must be between 1 and 100000000, got 0'],
    [{ users: 100_000_001 }, 'users: must be between 1 and 100000000, got 100000001'],
    [{ sessionsPerUser: 100_001 }, 'sessionsPerUser: must be between 1 and 100000, got 100001'],
    [{ seed: -1 }, `seed: must be between 0 and ${Number.MAX_SAFE_INTEGER}, got -1`],
    [{ shardSize: 1_000_001 }, 'shardSize: must be between 1 and 1000000, got 1000001'],
    [{ parallelism: 1001 }, 'parallelism: must be between 1 and 1000, got 1001'],
    [{ schemaVersion: 3 }, 'schemaVersion: must be between 1 and 2, got 3'],
    [{ keepDays: 36_501, schedule: 's' }, 'keepDays: must be between 1 and 36500, got 36501'],
    [{ sessionHours: 'abc' }, 'sessionHours: must look like "MIN-MAX" (e.g. "0.5-2"), got "abc"'],
    [{ sessionHours: '1.2.3-4' }, 'sessionHours: must be two numbers, got "1.2.3-4"'],
    [{ sessionHours: '2-1.2.3' }, 'sessionHours: must be two numbers, got "2-1.2.3"'],
    [{ sessionHours: [1] }, 'sessionHours: must be [min, max] or "MIN-MAX", got [1]'],
    [{ sessionHours: 5 }, 'sessionHours: must be [min, max] or "MIN-MAX", got 5'],
    [{ sessionHours: [1, 'a'] }, 'sessionHours: must be two numbers, got [1,"a"]'],
    [{ sessionHours: [0, 1] }, 'sessionHours: needs 0 < min <= max <= 24, got 0-1'],
    [{ sessionHours: [2, 1.5] }, 'sessionHours: needs 0 < min <= max <= 24, got 2-1.5'],
    [{ sessionHours: [1, 24.5] }, 'sessionHours: needs 0 < min <= max <= 24, got 1-24.5'],
    [{ from: '2025-13-01' }, 'from: must be a date YYYY-MM-DD, got "2025-13-01"'],
    [{ to: 20250101 }, 'to: must be a date YYYY-MM-DD, got 20250101'],
    [{ from: '2025-05-02', to: '2025-05-01' }, 'to: must not be before from (2025-05-02), got 2025-05-01'],
    [{ catalog: ['synthetic:10', ' '] }, 'catalog: must be a list of non-empty strings, got ["synthetic:10"," "]'],
    [{ catalog: 5 }, 'catalog: must be a list of non-empty strings, got 5'],
    [{ catalog: ['synthetic:10', 'csv:'] }, 'catalog[1]: csv:: csv: needs a file path after the colon'],
    [{ catalog: ['csv:' + 'a'.repeat(1025)] }, 'catalog[0]: is 1025 bytes long; a path may have at most 1024'],
    [
      { catalog: ['bogus:1'] },
      'catalog[0]: bogus:1: unknown catalog source kind "bogus"; use one of csv:PATH, html:URL, source:PATH.json, synthetic:N',
    ],
    [{ catalog: ['csv:a\0b'] }, 'catalog[0]: contains a NUL byte'],
    [
      { catalog: ['synthetic:abc'] },
      'catalog[0]: synthetic:abc: N must be a whole number of songs from 1 to 5000000 in decimal digits, got "abc"',
    ],
    [
      { catalog: ['synthetic:1e3'] },
      'catalog[0]: synthetic:1e3: N must be a whole number of songs from 1 to 5000000 in decimal digits, got "1e3"',
    ],
    [
      { catalog: ['synthetic:0'] },
      'catalog[0]: synthetic:0: N must be a whole number of songs from 1 to 5000000 in decimal digits, got "0"',
    ],
    [{ out: '' }, 'out: must be a folder path or s3://bucket/prefix, got ""'],
    [{ out: '  ' }, 'out: must be a folder path or s3://bucket/prefix, got "  "'],
    [{ out: 7 }, 'out: must be a folder path or s3://bucket/prefix, got 7'],
    [{ runId: '.hidden' }, `runId: must be 1-128 letters, digits, '.', '_' or '-' (no '..', no '/'), got ".hidden"`],
    [{ runId: 'a..b' }, `runId: must be 1-128 letters, digits, '.', '_' or '-' (no '..', no '/'), got "a..b"`],
    [{ runId: 'a'.repeat(129) }, `runId: must be 1-128 letters, digits, '.', '_' or '-' (no '..', no '/'), got "${'a'.repeat(129)}"`],
    [{ format: 'parquet' }, 'format: must include avro (the other formats are written beside the avro parts)'],
    [{ travelShare: 1.5 }, 'travelShare: must be a number from 0 to 1, got 1.5'],
    [{ countries: { se: 1 } }, 'countries: "se" is not an ISO 3166 alpha-2 code like "SE"'],
    [{ countries: ['SE', 'xx'] }, 'countries: "xx" is not an ISO 3166 alpha-2 code like "SE"'],
    [{ countries: [5] }, 'countries: "5" is not an ISO 3166 alpha-2 code like "SE"'],
    [{ countries: true }, 'countries: must be an object of name: weight, got true'],
    [{ countries: 'SE' }, 'countries: must be an object of name: weight, got "SE"'],
    [{ countries: ['SE', 'XX', 'XY'] }, 'countries: no city known for XX, XY'],
    [{ countries: { SE: -1 } }, 'countries.SE: must be a weight >= 0, got -1'],
    [{ countries: { SE: 0 } }, 'countries: needs at least one weight > 0'],
    [{ personalities: {} }, 'personalities: needs at least one weight > 0'],
    [
      { interactions: { played: 1, liked: 1 } },
      'interactions.liked: unknown interaction; known: played, paused, skipped, repeated, added_to_playlist',
    ],
    [{ axisStrength: { bogus: 1 } }, 'axisStrength.bogus: unknown axis; known: familiarity, newness, loyalty, commonality'],
    [{ axisStrength: 5 }, 'axisStrength: must be an object, got 5'],
    [{ schedule: 'a'.repeat(65) }, 'schedule: must be at most 64 characters, got 65'],
    [{ keepDays: 3 }, "keepDays: only goes with schedule: it prunes that schedule's generations"],
    [{ resume: '../x' }, `resume: must be 1-128 letters, digits, '.', '_' or '-' (no '..', no '/'), got "../x"`],
    [[1], 'input: must be one JSON object (use {} for all defaults), got [1]'],
  ])('%j', (input, expected) => {
    expect(generation(input)).toBe(expected);
  });

  it('lists the known fields for an unknown one, and names a bad default run id', () => {
    expect(generation({ colour: 1 })).toBe(
      'colour: unknown field; known fields: users, sessionsPerUser, sessionHours, from, to, seed, catalog, out, runId, shardSize, parallelism, format, schemaVersion, parquetCodec, avroCodec, travelShare, countries, personalities, axisStrength, interactions, resume, schedule, keepDays',
    );
    expect(refusal(() => resolveGenerationInput({}, '../x'))).toBe(
      `runId: must be 1-128 letters, digits, '.', '_' or '-' (no '..', no '/'), got "../x"`,
    );
  });

  it('takes the edges of each range and the forms the CLI and the Web UI give', () => {
    expect(resolved({ sessionHours: ' 0.5 - 2 ' }).sessionHours).toEqual([0.5, 2]);
    expect(resolved({ sessionHours: [2, 2] }).sessionHours).toEqual([2, 2]);
    expect(resolved({ sessionHours: [1, 24] }).sessionHours).toEqual([1, 24]);
    expect(resolved({ sessionHours: null }).sessionHours).toBeNull();
    expect(resolved({ from: '2025-05-01', to: '2025-05-01' })).toMatchObject({ from: '2025-05-01', to: '2025-05-01' });
    expect(resolved({ catalog: ' synthetic:10 , ,synthetic:20 ' }).catalog).toEqual(['synthetic:10', 'synthetic:20']);
    expect(resolved({ catalog: [' synthetic:10'] }).catalog).toEqual(['synthetic:10']);
    expect(resolved({ catalog: ' , ' }).catalog).toEqual(['synthetic:40000']);
    expect(resolved({ catalog: [] }).catalog).toEqual(['synthetic:40000']);
    expect(resolved({ format: 'avro,avro, parquet' }).format).toEqual(['avro', 'parquet']);
    expect(resolved({ countries: ['SE', 'SE', 'NO'] }).countries).toEqual({ SE: 1, NO: 1 });
    expect(resolved({ countries: { SE: 2, NO: 0 } }).countries).toEqual({ SE: 2, NO: 0 });
    expect(resolved({ interactions: { played: 1 } }).interactions).toEqual({ played: 1 });
    expect(resolved({ axisStrength: { loyalty: null, newness: 0.5 } }).axisStrength).toEqual({
      familiarity: 0.85,
      newness: 0.5,
      loyalty: 0,
      commonality: 0.85,
    });
    expect(resolved({ runId: 'a'.repeat(128) }).runId).toBe('a'.repeat(128));
    expect(resolveGenerationInput({ schedule: 'a'.repeat(64), keepDays: 36_500 }, 'w', { scheduledAt: new Date(0), now: 0 }).keepDays).toBe(
      36_500,
    );
    expect(resolved({ resume: 'r-1' }).runId).toBe('r-1');
    expect(resolved({ resume: 'r-1', runId: 'r-2' }).runId).toBe('r-2');
  });
});

describe('scheduled runs are named after their scheduled time', () => {
  const at = new Date('2026-11-29T02:00:00Z');
  const scheduled = (input: GenerationInput, clock: { scheduledAt?: Date; now?: number }) =>
    refusal(() => resolveGenerationInput({ schedule: 'nightly', ...input }, 'w', clock));
  const runIdOf = (input: GenerationInput, clock: { scheduledAt?: Date; now?: number }) =>
    resolveGenerationInput({ schedule: 'nightly', ...input }, 'w', clock).runId;

  it('names the run <schedule>-YYYYMMDDTHHMMSSZ, allowing five minutes of clock skew', () => {
    expect(compactTime(at)).toBe('20261129T020000Z');
    expect(runIdOf({}, { scheduledAt: at, now: at.getTime() })).toBe('nightly-20261129T020000Z');
    expect(runIdOf({}, { scheduledAt: at, now: at.getTime() - 5 * 60_000 })).toBe('nightly-20261129T020000Z');
    expect(runIdOf({}, { now: at.getTime() })).toBe('nightly-20261129T020000Z');
    expect(scheduled({}, { scheduledAt: at, now: at.getTime() - 5 * 60_000 - 1 })).toBe(
      'schedule: the scheduled time 2026-11-29T02:00:00.000Z lies in the future',
    );
    expect(scheduled({}, { scheduledAt: new Date(NaN), now: at.getTime() })).toBe('schedule: the scheduled time is not a time');
    const before = Date.now();
    const named = runIdOf({}, {});
    const stamp = scheduledTimeOf(named, 'nightly')!.getTime();
    expect(stamp).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000);
    expect(stamp).toBeLessThanOrEqual(Date.now());
  });

  it("resumes only a folder of the schedule's own, not dated ahead of the clock", () => {
    const now = at.getTime();
    expect(runIdOf({ runId: 'nightly-20261129T020000Z' }, { now })).toBe('nightly-20261129T020000Z');
    expect(runIdOf({ resume: 'nightly-20261129T020000Z' }, { now })).toBe('nightly-20261129T020000Z');
    expect(runIdOf({ runId: 'nightly-20261129T020500Z' }, { now })).toBe('nightly-20261129T020500Z');
    expect(scheduled({ runId: 'nightly-20261129T020501Z' }, { now })).toBe('runId: nightly-20261129T020501Z is dated in the future');
    expect(scheduled({ runId: 'nightly-20261129T020000Z' }, {})).toBe('accepted');
    for (const runId of ['other-20261129T020000Z', 'nightly-20261329T020000Z', 'nightly-20261129T020000', 'nightly-x'])
      expect(scheduled({ runId }, { now })).toBe(
        `runId: with schedule "nightly" must be nightly-YYYYMMDDTHHMMSSZ (each run is named after its scheduled time), got "${runId}"`,
      );
  });

  it('reads the scheduled time back from a folder name, and nothing from other names', () => {
    expect(scheduledTimeOf('nightly-20261129T020304Z', 'nightly')).toEqual(new Date('2026-11-29T02:03:04Z'));
    expect(scheduledTimeOf('nightly-20260230T020304Z', 'nightly')).toBeUndefined();
    expect(scheduledTimeOf('nightly-20261129T026004Z', 'nightly')).toBeUndefined();
    expect(scheduledTimeOf('nightly20261129T020304Z', 'nightly')).toBeUndefined();
    expect(scheduledTimeOf('other-20261129T020304Z', 'nightly')).toBeUndefined();
  });

  it('finds the first field two params differ in, resume aside', () => {
    const a = resolved({ users: 5, resume: 'x', runId: 'w' });
    expect(firstParamDifference(a, resolved({ users: 5 }))).toBeUndefined();
    expect(firstParamDifference(a, resolved({ users: 6 }))).toBe('users');
    expect(firstParamDifference(a, resolved({ users: 5, seed: 1 }))).toBe('seed');
    expect(firstParamDifference(a, resolved({ users: 5, avroCodec: 'snappy' }))).toBe('avroCodec');
  });
});

describe('world input', () => {
  it('validates the world fields and passes the rest on as a generation of the start day', () => {
    const w = resolveWorldInput({ name: 'demo', start: '2025-03-01', users: 7 });
    expect(w).toMatchObject({ name: 'demo', start: '2025-03-01', sessionsPerDay: 1.5 });
    expect(w.params).toMatchObject({ users: 7, from: '2025-03-01', to: '2025-03-01', runId: 'demo' });
    expect(resolveWorldInput({ name: 'demo', start: '2025-03-01', sessionsPerDay: 48 }).sessionsPerDay).toBe(48);
    expect(resolveWorldInput({ name: 'demo', start: '2025-03-01', sessionsPerDay: null }).sessionsPerDay).toBe(1.5);
    const world = (input: object) => refusal(() => resolveWorldInput({ name: 'demo', start: '2025-03-01', ...input }));
    expect(world({ sessionsPerDay: 0 })).toBe('sessionsPerDay: must be a number above 0 and at most 48, got 0');
    expect(world({ sessionsPerDay: 48.5 })).toBe('sessionsPerDay: must be a number above 0 and at most 48, got 48.5');
    expect(world({ sessionsPerDay: '2' })).toBe('sessionsPerDay: must be a number above 0 and at most 48, got "2"');
    for (const field of ['from', 'to', 'sessionsPerUser', 'resume', 'runId'])
      expect(world({ [field]: null })).toBe(`${field}: is not a world field: a world starts on \`start\` and goes on day by day`);
    expect(world({ name: 'a/b' })).toBe(`name: must be 1-128 letters, digits, '.', '_' or '-' (no '..', no '/'), got "a/b"`);
    expect(world({ start: '2025-02-30' })).toBe('from: must be a date YYYY-MM-DD, got "2025-02-30"');
    expect(world({ out: 's3://datasets/worlds' })).toBe(
      `out: "s3://datasets/worlds" is object storage: worlds (world create, world advance, stream) live in folders under the data root only, not in a bucket (docs/storage.md); give a folder`,
    );
    expect(refusal(() => resolveWorldInput(5))).toBe(
      'input: must be a JSON object like {"name": "demo", "users": 1000, "start": "2025-01-01"}, got 5',
    );
    expect(refusal(() => checkWorldName('world', 'a..b'))).toBe(
      `world: must be 1-128 letters, digits, '.', '_' or '-' (no '..', no '/'), got "a..b"`,
    );
    expect(checkWorldName('world', 'a.b')).toBe('a.b');
  });

  it('advances 1 to 3660 days, or through a day, not both', () => {
    const advance = (input: object) => refusal(() => resolveWorldAdvanceInput({ world: 'w', ...input }));
    expect(resolveWorldAdvanceInput({ world: 'w', days: 3660, out: null })).toEqual({ world: 'w', out: 'data', days: 3660, through: null });
    expect(resolveWorldAdvanceInput({ world: 'w', days: 1 }).days).toBe(1);
    expect(advance({ days: 3661 })).toBe('days: must be a whole number from 1 to 3660, got 3661');
    expect(advance({ days: 1.5 })).toBe('days: must be a whole number from 1 to 3660, got 1.5');
    expect(advance({ days: '2' })).toBe('days: must be a whole number from 1 to 3660, got "2"');
    expect(advance({ through: 5 })).toBe('through: must be a day YYYY-MM-DD, got 5');
    expect(advance({ out: '' })).toBe('out: must be a folder under the data root, got ""');
    expect(advance({ out: 5 })).toBe('out: must be a folder under the data root, got 5');
    expect(advance({ out: 's3://datasets/worlds' })).toBe(
      `out: "s3://datasets/worlds" is object storage: worlds (world create, world advance, stream) live in folders under the data root only, not in a bucket (docs/storage.md); give a folder`,
    );
    expect(advance({ days: 2, through: '2025-01-01' })).toBe('days: give days or through, not both');
    expect(advance({ colour: 1 })).toBe('colour: is not a field of a world advance (fields: world, out, days, through)');
    expect(advance({ world: 5 })).toBe(`world: must be 1-128 letters, digits, '.', '_' or '-' (no '..', no '/'), got 5`);
    expect(refusal(() => resolveWorldAdvanceInput(null))).toBe('input: must be a JSON object like {"world": "demo", "days": 1}, got null');
  });

  describe("a world's definition file", () => {
    const good = {
      name: 'demo',
      start: '2025-03-01',
      sessionsPerDay: 1.5,
      params: { users: 10, shardSize: 5, seed: 1, parallelism: 2 },
      catalogSha256: 'a'.repeat(64),
    };
    const problemOf = (value: unknown, text = JSON.stringify(value)) => {
      try {
        parseWorldDefinition(text, '/w/world.json');
      } catch (err) {
        expect(err).toBeInstanceOf(DamagedFile);
        const damaged = err as DamagedFile;
        expect(damaged.file).toBe('/w/world.json');
        expect(damaged.repair).toMatch(/^world.json is written once, at world create: restore it/);
        return damaged.problem.replace("the world's definition: ", '');
      }
      return 'accepted';
    };

    it.each([
      [
        [good],
        'it holds [{"name":"demo","start":"2025-03-01","sessionsPerDay":1.5,"params":{"users":10,"shardSize":5,"seed":1,"parallelism":2},"catalogSha256":"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"}], not a JSON object',
      ],
      [null, 'it holds null, not a JSON object'],
      [5, 'it holds 5, not a JSON object'],
      [{ ...good, name: 5 }, 'its name is 5'],
      [{ ...good, name: 'a/b' }, 'its name is "a/b"'],
      [{ ...good, start: 5 }, 'its start is 5, not a day'],
      [{ ...good, start: '2025-02-30' }, 'its start is "2025-02-30", not a day'],
      [{ ...good, sessionsPerDay: '1' }, 'its sessionsPerDay is "1"'],
      [{ ...good, sessionsPerDay: 0 }, 'its sessionsPerDay is 0'],
      [{ ...good, params: null }, 'it has no params'],
      [{ ...good, params: 5 }, 'it has no params'],
      [{ ...good, params: { ...good.params, users: 1.5 } }, 'its params.users is 1.5, not a whole number'],
      [{ ...good, params: { ...good.params, parallelism: '2' } }, 'its params.parallelism is "2", not a whole number'],
      [{ ...good, catalogSha256: 5 }, 'its catalogSha256 is 5, not a sha256'],
      [{ ...good, catalogSha256: 'A'.repeat(64) }, `its catalogSha256 is "${'A'.repeat(64)}", not a sha256`],
    ])('%j', (value, expected) => {
      expect(problemOf(value)).toBe(expected);
    });

    it('reads a good one, and says how long a file that is not JSON is', () => {
      expect(parseWorldDefinition(JSON.stringify(good), 'f')).toEqual(good);
      expect(problemOf(undefined, '{"name": ')).toMatch(/^it is not JSON \(.+; the file has 9 bytes\)$/);
    });
  });
});

describe('stream input', () => {
  const base = { world: 'w', brokers: ['k:9092'], topic: 't' };
  const stream = (input: object) => refusal(() => resolveStreamInput({ ...base, ...input }));
  it('fills in its defaults and refuses each field with its reason', () => {
    expect(
      resolveStreamInput({ ...base, partitions: 1000, pollSeconds: 86_400, speed: 2.5, follow: true, from: '2025-01-01' }),
    ).toMatchObject({
      partitions: 1000,
      pollSeconds: 86_400,
      speed: 2.5,
      follow: true,
      from: '2025-01-01',
    });
    expect(stream({ brokers: [] })).toBe('brokers: must be a list of HOST:PORT, got []');
    expect(stream({ out: 's3://datasets/worlds' })).toBe(
      `out: "s3://datasets/worlds" is object storage: worlds (world create, world advance, stream) live in folders under the data root only, not in a bucket (docs/storage.md); give a folder`,
    );
    expect(stream({ brokers: ['k'] })).toBe('brokers[0]: must be a list of HOST:PORT, got "k"');
    expect(stream({ brokers: Array(33).fill('k:1') })).toMatch(/^brokers: must be a list of HOST:PORT, got \["k:1",/);
    expect(stream({ topic: 'a/b' })).toBe('topic: must be a Kafka topic name (letters, digits, . _ -), got "a/b"');
    expect(stream({ topic: 5 })).toBe('topic: must be a Kafka topic name (letters, digits, . _ -), got 5');
    expect(stream({ speed: 0 })).toBe('speed: must be a number above 0 or "max", got 0');
    expect(stream({ speed: 'fast' })).toBe('speed: must be a number above 0 or "max", got "fast"');
    expect(stream({ speed: Infinity })).toBe('speed: must be a number above 0 or "max", got Infinity');
    expect(stream({ speed: NaN })).toBe('speed: must be a number above 0 or "max", got NaN');
    expect(stream({ partitions: 1001 })).toBe('partitions: must be between 1 and 1000, got 1001');
    expect(stream({ follow: 'yes' })).toBe('follow: must be true or false, got "yes"');
    expect(stream({ pollSeconds: 0.5 })).toBe('pollSeconds: must be a number of seconds from 1 to 86400, got 0.5');
    expect(stream({ pollSeconds: 86_401 })).toBe('pollSeconds: must be a number of seconds from 1 to 86400, got 86401');
    expect(stream({ schemaRegistry: 5 })).toBe('schemaRegistry: must be a URL, got 5');
    expect(stream({ colour: 1 })).toBe(
      'colour: unknown field; known fields: world, out, brokers, topic, from, speed, schemaRegistry, partitions, follow, pollSeconds',
    );
    expect(refusal(() => resolveStreamInput('x'))).toBe(
      'input: must be a JSON object like {"world": "demo", "brokers": ["kafka:9092"], "topic": "listens"}, got "x"',
    );
  });
});

describe('schema registry URL', () => {
  const problem = (url: string) =>
    refusal(() => registryBaseUrl(url)).replace(/^schemaRegistry: must be a base URL http\(s\):\/\/HOST\[:PORT\]\[\/PATH\] /, '');
  it.each([
    ['not a url', `(not a URL), got "not a url"`],
    ['ftp://host/', '(http or https only), got "ftp://host/"'],
    ['http://user@host/', '(no credentials in it), got "http://user@host/"'],
    ['http://:pw@host/', '(no credentials in it), got "http://:pw@host/"'],
    ['http://host/?', '(no query or fragment), got "http://host/?"'],
    ['http://host/#x', '(no query or fragment), got "http://host/#x"'],
    ['http://host/a/%2e%2e/b', `(no '.', '..' or encoded path segments), got "http://host/a/%2e%2e/b"`],
    ['http://host/a\\b', `(no '.', '..' or encoded path segments), got "http://host/a\\\\b"`],
    ['http://host/./a', `(no '.', '..' or encoded path segments), got "http://host/./a"`],
  ])('%s', (url, expected) => {
    expect(problem(url)).toBe(expected);
  });

  it('takes a base URL with or without a path and puts subjects below it', () => {
    expect(registryBaseUrl('https://host:8081').href).toBe('https://host:8081/');
    expect(registrySubjectsUrl('http://host:8081/apis/ccompat/v7//')).toBe('http://host:8081/apis/ccompat/v7/subjects');
    expect(registrySubjectsUrl('http://host.example/a.b/c')).toBe('http://host.example/a.b/c/subjects');
  });
});

describe('Wrapped input', () => {
  afterEach(() => vi.unstubAllEnvs());
  const wrapped = (input: object, root = '/data') => refusal(() => resolveWrappedInput(input, root));

  it('refuses each field with its reason, and fills in the defaults', () => {
    expect(wrapped({ run: ' ' })).toBe('run: must be the run folder or s3://bucket/prefix/RUN, got " "');
    expect(wrapped({ run: 'r', out: '' })).toBe('out: must be a folder path or s3://bucket/prefix, got ""');
    expect(wrapped({ run: 'r', user: 1.5 })).toBe('user: must be a user id (a whole number >= 1), got 1.5');
    expect(wrapped({ run: 'r', parallelism: 0 })).toBe('parallelism: must be a whole number from 1 to 1000, got 0');
    expect(wrapped({ run: 'r', parallelism: 1001 })).toBe('parallelism: must be a whole number from 1 to 1000, got 1001');
    expect(wrapped({ run: 'r', parallelism: 2.5 })).toBe('parallelism: must be a whole number from 1 to 1000, got 2.5');
    expect(wrapped({ run: 'r', colour: 1 })).toBe('colour: unknown field; known fields: run, out, user, parallelism');
    expect(refusal(() => resolveWrappedInput([], '/data'))).toBe('input: must be a JSON object like {"run": "data/my-run"}, got []');
    expect(resolveWrappedInput({ run: 'r', user: 1, parallelism: 1000, out: 'x' }, '/data')).toEqual({
      runDir: '/data/r',
      outDir: '/data/x',
      user: 1,
      parallelism: 1000,
    });
    expect(resolveWrappedInput({ run: 'r', user: null, parallelism: null }, '/data')).toMatchObject({ user: null, parallelism: 4 });
  });

  it("writes a folder run's Wrapped in its own wrapped/ only, never elsewhere in a run", () => {
    const tmp = makeTmpDir();
    try {
      const run = path.join(tmp.dir, 'r');
      fs.mkdirSync(run);
      fs.writeFileSync(path.join(run, 'manifest.json'), '{}');
      expect(resolveWrappedInput({ run: 'r' }, tmp.dir).outDir).toBe(path.join(run, 'wrapped'));
      expect(resolveWrappedInput({ run: 'r', out: 'r/wrapped/sub' }, tmp.dir).outDir).toBe(path.join(run, 'wrapped', 'sub'));
      expect(wrapped({ run: 'r', out: 'r/avro' }, tmp.dir)).toBe(
        `out: ${path.join(run, 'avro')} is inside the run or world folder ${run}: an output there could overwrite its data; write it elsewhere`,
      );
    } finally {
      tmp.cleanup();
    }
  });

  it('keeps the Wrapped of a run in a bucket out of the run, beside it by default', () => {
    vi.stubEnv('WRAPPED_ETL_S3_ALLOW', 'bucket');
    const tmp = makeTmpDir();
    try {
      expect(resolveWrappedInput({ run: 's3://bucket/runs/r' }, tmp.dir)).toMatchObject({
        runDir: 's3://bucket/runs/r',
        outDir: 's3://bucket/runs/r-wrapped',
      });
      expect(resolveWrappedInput({ run: 's3://bucket/runs/r', out: 's3://bucket/reports' }, tmp.dir).outDir).toBe('s3://bucket/reports');
      expect(resolveWrappedInput({ run: 'r', out: 's3://bucket/reports' }, tmp.dir).outDir).toBe('s3://bucket/reports');
      expect(resolveWrappedInput({ run: 's3://bucket/runs/r', out: 'w' }, tmp.dir).outDir).toBe(path.join(fs.realpathSync(tmp.dir), 'w'));
      expect(wrapped({ run: 's3://bucket/runs/r', out: 's3://bucket/runs/r/w' }, tmp.dir)).toBe(
        'out: "s3://bucket/runs/r/w" is inside the run s3://bucket/runs/r: an output there could overwrite its objects; write it beside the run or elsewhere',
      );
      expect(wrapped({ run: 's3://bucket' }, tmp.dir)).toBe('out: the run is a whole bucket (s3://bucket): say where the Wrapped goes');
      fs.mkdirSync(path.join(tmp.dir, 'other'));
      fs.writeFileSync(path.join(tmp.dir, 'other', 'world.json'), '{}');
      expect(wrapped({ run: 's3://bucket/runs/r', out: 'other/w' }, tmp.dir)).toMatch(
        /^out: .*other\/w is inside the run or world folder .*other: an output there could overwrite its data/,
      );
    } finally {
      tmp.cleanup();
    }
  });
});
