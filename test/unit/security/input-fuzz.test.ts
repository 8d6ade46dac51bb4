import * as fs from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { AddressPolicy } from '../../../src/catalog/address-guard';
import { confineUnderRoot, isWithin, realPathOf } from '../../../src/runtime/data-root';
import { resolveGenerationInput, scheduledTimeOf } from '../../../src/config/generation-input';
import { resolveWrappedInput } from '../../../src/config/wrapped-input';
import { InputError } from '../../../src/domain/errors';
import { DAY_MS } from '../../../src/domain/time-units';
import { prunableGenerations } from '../../../src/pipeline/generations';
import { makeTmpDir } from '../../helpers/tmp-dir';

const RUNS = { numRuns: 300, seed: 20261129 };

/** How many fuzzed inputs a property accepted and refused: each side needs enough cases for its checks to mean something. */
class Tally {
  accepted = 0;
  refused = 0;
  expectBoth(atLeast: number): void {
    expect(this.accepted, `accepted ${this.accepted} of ${this.accepted + this.refused}`).toBeGreaterThanOrEqual(atLeast);
    expect(this.refused, `refused ${this.refused} of ${this.accepted + this.refused}`).toBeGreaterThanOrEqual(atLeast);
  }
}

/** Either a value or an InputError: any other exception is a bug. */
function outcome<T>(f: () => T): T | InputError {
  try {
    return f();
  } catch (err) {
    if (err instanceof InputError) return err;
    throw err;
  }
}

const pathPart = fc.constantFrom('..', '.', 'a', 'b', 'link', 'runs', '', '\0', '/', 'x'.repeat(300), '..a', 'a..', '~', '%2e%2e');
const pathText = fc.array(pathPart, { maxLength: 8 }).map((parts) => parts.join('/'));
const hostile = fc.oneof(
  fc.anything(),
  pathText,
  fc.double(),
  fc.string(),
  fc.constantFrom(-1, 0, 0.001, '0.001', -1e308, 1e308, NaN, Infinity, null, [], {}),
);

describe('property-based fuzz of input validation and path confinement', () => {
  const tmp = makeTmpDir('security-fuzz-');
  const root = path.join(tmp.dir, 'root');
  const outside = path.join(tmp.dir, 'outside');
  fs.mkdirSync(path.join(root, 'runs', 'a'), { recursive: true });
  fs.mkdirSync(outside);
  fs.symlinkSync(outside, path.join(root, 'link'));
  fs.symlinkSync(outside, path.join(root, 'runs', 'b'));
  afterAll(() => tmp.cleanup());

  it('generation input: any value is either refused with an InputError naming a field, or valid params', () => {
    const field = fc.constantFrom(
      'users',
      'out',
      'runId',
      'schedule',
      'keepDays',
      'catalog',
      'resume',
      'from',
      'to',
      'seed',
      'format',
      'countries',
      'sessionHours',
    );
    const tally = new Tally();
    fc.assert(
      fc.property(fc.dictionary(field, hostile, { maxKeys: 5 }), (input) => {
        const r = outcome(() =>
          resolveGenerationInput(input, 'wf-1', { scheduledAt: new Date('2026-11-29T02:00:00Z'), now: Date.parse('2026-11-29T03:00:00Z') }),
        );
        if (r instanceof InputError) {
          tally.refused++;
          expect(r.field.length).toBeGreaterThan(0);
          return;
        }
        tally.accepted++;
        expect(r.runId).toMatch(/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/);
        expect(r.runId).not.toContain('..');
        expect(r.out).not.toContain('\0');
        expect(r.keepDays === null || (Number.isInteger(r.keepDays) && r.keepDays >= 1)).toBe(true);
        if (r.keepDays !== null) expect(r.schedule).not.toBeNull();
        if (r.schedule !== null)
          expect(scheduledTimeOf(r.runId, r.schedule)!.getTime()).toBeLessThanOrEqual(Date.parse('2026-11-29T03:05:00Z'));
      }),
      RUNS,
    );
    tally.expectBoth(30);
  });

  it('out and runId: a resolved run folder is always under the real data root', () => {
    const tally = new Tally();
    fc.assert(
      fc.property(pathText, fc.oneof(fc.constantFrom('a', 'b', 'run-1', '..', 'link'), fc.string()), (out, runId) => {
        const r = outcome(() => {
          const params = resolveGenerationInput({ out, runId }, 'wf');
          return confineUnderRoot(root, 'runId', path.join(confineUnderRoot(root, 'out', params.out), params.runId));
        });
        if (r instanceof InputError) {
          tally.refused++;
          expect(['out', 'runId']).toContain(r.field);
          return;
        }
        tally.accepted++;
        expect(isWithin(realPathOf(root), realPathOf(r))).toBe(true);
        expect(isWithin(outside, realPathOf(r))).toBe(false);
      }),
      RUNS,
    );
    tally.expectBoth(30);
  });

  it('analyze run and out: always under the real data root', () => {
    const tally = new Tally();
    fc.assert(
      fc.property(pathText, fc.option(pathText, { nil: undefined }), (run, out) => {
        const r = outcome(() => resolveWrappedInput({ run, ...(out === undefined ? {} : { out }) }, root));
        if (r instanceof InputError) {
          tally.refused++;
          expect(['run', 'out', 'input']).toContain(r.field);
          return;
        }
        tally.accepted++;
        for (const dir of [r.runDir, r.outDir]) expect(isWithin(realPathOf(root), realPathOf(dir))).toBe(true);
      }),
      RUNS,
    );
    tally.expectBoth(30);
  });

  it('pruning deletes only complete, real, strictly older folders of the schedule', () => {
    const stamp = (ms: number) => `${new Date(ms).toISOString().slice(0, 19).replace(/[-:]/g, '')}Z`;
    let n = 0;
    let pruned = 0;
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            days: fc.integer({ min: -400, max: 400 }),
            complete: fc.boolean(),
            link: fc.boolean(),
            schedule: fc.constantFrom('nightly', 'other'),
          }),
          { maxLength: 8 },
        ),
        fc.integer({ min: 1, max: 30 }),
        fc.integer({ min: -50, max: 50 }),
        (folders, keepDays, runOffsetDays) => {
          const now = Date.parse('2026-11-29T02:00:00Z');
          const runAt = new Date(now + runOffsetDays * DAY_MS);
          const parent = path.join(tmp.dir, `prune-${n++}`);
          fs.mkdirSync(parent);
          for (const f of folders) {
            const dir = path.join(parent, `${f.schedule}-${stamp(now + f.days * DAY_MS)}`);
            if (fs.existsSync(dir)) continue;
            if (f.link) fs.symlinkSync(outside, dir);
            else {
              fs.mkdirSync(dir);
              if (f.complete) fs.writeFileSync(path.join(dir, 'manifest.json'), '{}');
            }
          }
          for (const dir of prunableGenerations(parent, 'nightly', runAt, keepDays, now)) {
            pruned++;
            const at = scheduledTimeOf(path.basename(dir), 'nightly')!;
            expect(at.getTime()).toBeLessThan(Math.min(runAt.getTime(), now) - keepDays * DAY_MS);
            expect(fs.lstatSync(dir).isSymbolicLink()).toBe(false);
            expect(fs.existsSync(path.join(dir, 'manifest.json'))).toBe(true);
          }
        },
      ),
      { ...RUNS, numRuns: 100 },
    );
    expect(pruned, 'folders pruned over all cases').toBeGreaterThanOrEqual(10);
  });

  it('internal addresses are refused unless allowed, also IPv4-mapped', () => {
    const none = new AddressPolicy('');
    const octet = fc.integer({ min: 0, max: 255 });
    const internalV4 = fc.oneof(
      fc.tuple(octet, octet, octet).map(([a, b, c]) => `127.${a}.${b}.${c}`),
      fc.tuple(octet, octet, octet).map(([a, b, c]) => `10.${a}.${b}.${c}`),
      fc.tuple(octet, octet).map(([a, b]) => `192.168.${a}.${b}`),
      fc.tuple(octet, octet).map(([a, b]) => `169.254.${a}.${b}`),
      fc.tuple(fc.integer({ min: 16, max: 31 }), octet, octet).map(([a, b, c]) => `172.${a}.${b}.${c}`),
    );
    fc.assert(
      fc.property(internalV4, (ip) => {
        expect(none.permits(ip)).toBe(false);
        expect(none.permits(`::ffff:${ip}`)).toBe(false);
        expect(new AddressPolicy(ip).permits(ip)).toBe(true);
      }),
      RUNS,
    );
    expect(none.permits('93.184.216.34')).toBe(true);
    expect(none.permits('::1')).toBe(false);
    expect(none.permits('fe80::1')).toBe(false);
    expect(none.permits('::ffff:7f00:1')).toBe(false);
  });
});
