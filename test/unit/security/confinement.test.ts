import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { AddressPolicy, BlockedAddressError } from '../../../src/catalog/address-guard';
import { InputError } from '../../../src/domain/errors';
import { describeValue, parseInput, share, weights, wholeNumber, z } from '../../../src/domain/input-schema';
import { catalogRoots, confineUnderRoot, confineUnderRoots, dataRoot, isWithin, realPathOf } from '../../../src/runtime/data-root';
import { checkPathText, pathProblem } from '../../../src/runtime/path-text';
import { makeTmpDir } from '../../helpers/tmp-dir';

/** The InputError `f` throws, as field and problem. */
function refusal(f: () => unknown): { field: string; problem: string } {
  try {
    f();
  } catch (err) {
    if (err instanceof InputError) return { field: err.field, problem: err.problem };
    throw err;
  }
  throw new Error('accepted');
}

describe('path text: what no filesystem call could take is refused first', () => {
  it('a NUL byte, a path over 1,024 bytes, a name over 255 bytes; the limits themselves pass', () => {
    expect(pathProblem('a\0b')).toBe('contains a NUL byte, which no path can hold');
    const names = (bytes: number) => `${'a'.repeat(255)}/`.repeat(4) + 'b'.repeat(bytes - 1024);
    expect(pathProblem(names(1024))).toBeUndefined();
    expect(pathProblem(names(1025))).toBe('is 1025 bytes long; a path may have at most 1024');
    expect(pathProblem(`x/${'é'.repeat(127)}a/y`)).toBeUndefined();
    expect(pathProblem(`x\\${'é'.repeat(128)}`)).toBe(
      `has a name of 256 bytes ("${'é'.repeat(20)}..."); one folder or file name may have at most 255`,
    );
  });

  it('anything but a non-blank string is no path, named by its field', () => {
    for (const [p, shown] of [
      [5, '5'],
      ['', '""'],
      ['  ', '"  "'],
      [undefined, 'undefined'],
      [null, 'null'],
    ] as const)
      expect(refusal(() => checkPathText('out', p))).toEqual({ field: 'out', problem: `must be a path, got ${shown}` });
    expect(refusal(() => checkPathText('out', 'a\0'))).toEqual({ field: 'out', problem: 'contains a NUL byte, which no path can hold' });
    expect(() => checkPathText('out', ' a ')).not.toThrow();
  });
});

describe('confinement under the data root and the catalog roots', () => {
  const tmp = makeTmpDir();
  const root = path.join(tmp.dir, 'root');
  const extra = path.join(tmp.dir, 'extra');
  fs.mkdirSync(root);
  fs.mkdirSync(extra);
  const env = { ...process.env };
  afterEach(() => {
    for (const key of ['WRAPPED_ETL_DATA_ROOT', 'WRAPPED_ETL_CATALOG_ROOT']) {
      if (env[key] === undefined) delete process.env[key];
      else process.env[key] = env[key];
    }
  });
  afterAll(() => tmp.cleanup());

  it('the data root is WRAPPED_ETL_DATA_ROOT made absolute, else the working directory', () => {
    delete process.env.WRAPPED_ETL_DATA_ROOT;
    expect(dataRoot()).toBe(process.cwd());
    process.env.WRAPPED_ETL_DATA_ROOT = 'relative/root';
    expect(dataRoot()).toBe(path.resolve('relative/root'));
  });

  it('within: the folder itself and what lies below, not a sibling sharing its prefix nor a parent', () => {
    expect(isWithin('/a', '/a')).toBe(true);
    expect(isWithin('/a', '/a/b/c')).toBe(true);
    expect(isWithin('/a', '/a/..b')).toBe(true);
    expect(isWithin('/a', '/ab')).toBe(false);
    expect(isWithin('/a/b', '/a')).toBe(false);
    expect(isWithin('/a/b', '/a/c')).toBe(false);
  });

  it('real paths follow links, dangling ones and chains of them, and go through a file as far as it exists', () => {
    const real = fs.realpathSync(tmp.dir);
    fs.symlinkSync(path.join(tmp.dir, 'link-2'), path.join(tmp.dir, 'link-1'));
    fs.symlinkSync(path.join(extra, 'not-yet'), path.join(tmp.dir, 'link-2'));
    expect(realPathOf(path.join(tmp.dir, 'link-1', 'a'))).toBe(path.join(real, 'extra', 'not-yet', 'a'));
    fs.writeFileSync(path.join(tmp.dir, 'file'), '');
    expect(realPathOf(path.join(tmp.dir, 'file', 'below'))).toBe(path.join(real, 'file', 'below'));
    // a link to itself: the system's ELOOP
    fs.symlinkSync('self', path.join(tmp.dir, 'self'));
    expect(() => realPathOf(path.join(tmp.dir, 'self'))).toThrow(expect.objectContaining({ code: 'ELOOP', syscall: 'realpath' }));
    // 41 dangling links, each to the next through a folder that does not exist (so the system sees one link at a
    // time): given up on after 40, as Linux does within one path; 40 are followed
    for (let i = 0; i < 41; i++) fs.symlinkSync(`no-folder/../chain-${i + 1}`, path.join(tmp.dir, `chain-${i}`));
    const chain = path.join(tmp.dir, 'chain-0');
    expect(() => realPathOf(chain)).toThrow(expect.objectContaining({ code: 'ELOOP', message: `too many symbolic links in ${chain}` }));
    expect(realPathOf(path.join(tmp.dir, 'chain-1'))).toBe(path.join(real, 'chain-41'));
  });

  it('a URL is no path: s3:// where only a folder is taken is refused, not made a folder "s3:"', () => {
    for (const [confine, field] of [
      [(p: string) => confineUnderRoot(root, 'world', p), 'world'],
      [(p: string) => confineUnderRoots([root], 'catalog', p), 'catalog'],
    ] as const) {
      expect(refusal(() => confine('s3://datasets/worlds'))).toEqual({
        field,
        problem:
          '"s3://datasets/worlds" is a s3:// URL, not a path: a folder or file under the data root is taken here (docs/storage.md says where s3:// is)',
      });
      expect(refusal(() => confine('HTTPS://example.com/a')).problem).toMatch(
        /^"HTTPS:\/\/example.com\/a" is a HTTPS:\/\/ URL, not a path/,
      );
    }
    // a name with a colon in it is still a path
    expect(confineUnderRoot(root, 'out', 's3:x')).toBe(path.join(fs.realpathSync(root), 's3:x'));
    expect(fs.existsSync(path.join(root, 's3:'))).toBe(false);
  });

  it('catalog files may lie under the data root or WRAPPED_ETL_CATALOG_ROOT, nowhere else', () => {
    delete process.env.WRAPPED_ETL_CATALOG_ROOT;
    expect(catalogRoots(root)).toEqual([root]);
    process.env.WRAPPED_ETL_CATALOG_ROOT = path.relative(process.cwd(), extra);
    const roots = catalogRoots(root);
    expect(roots).toEqual([root, extra]);
    const realExtra = fs.realpathSync(extra);
    expect(confineUnderRoots(roots, 'catalog', path.join(extra, 'songs.csv'))).toBe(path.join(realExtra, 'songs.csv'));
    expect(confineUnderRoots(roots, 'catalog', 'songs.csv')).toBe(path.join(fs.realpathSync(root), 'songs.csv'));
    expect(refusal(() => confineUnderRoots(roots, 'catalog', '../elsewhere.csv'))).toEqual({
      field: 'catalog',
      problem: `"../elsewhere.csv" is outside ${root} and ${extra}; put the file under one of them`,
    });
    expect(refusal(() => confineUnderRoots([root], 'catalog', '/etc/passwd')).problem).toBe(
      `"/etc/passwd" is outside ${root}; put the file under it`,
    );
    expect(refusal(() => confineUnderRoots([root], 'catalog', '')).problem).toBe('must be a path, got ""');
  });
});

describe('input schema helpers', () => {
  const parse = (schema: z.ZodType, raw: unknown) => refusal(() => parseInput(schema, raw));

  it('whole numbers and shares take their bounds and refuse what lies past them', () => {
    const users = z.object({ users: wholeNumber(1, 10) });
    expect(parseInput(users, { users: 1 })).toEqual({ users: 1 });
    expect(parseInput(users, { users: 10 })).toEqual({ users: 10 });
    expect(parse(users, { users: 0 })).toEqual({ field: 'users', problem: 'must be between 1 and 10, got 0' });
    expect(parse(users, { users: 11 })).toEqual({ field: 'users', problem: 'must be between 1 and 10, got 11' });
    expect(parse(users, { users: 1.5 })).toEqual({ field: 'users', problem: 'must be a whole number, got 1.5' });
    expect(parse(users, {})).toEqual({ field: 'users', problem: 'must be a whole number, got undefined' });
    const travel = z.object({ travel: share() });
    for (const ok of [0, 0.5, 1]) expect(parseInput(travel, { travel: ok })).toEqual({ travel: ok });
    for (const bad of [-0.01, 1.01])
      expect(parse(travel, { travel: bad })).toEqual({ field: 'travel', problem: `must be a number from 0 to 1, got ${bad}` });
  });

  it('weights: names to weights >= 0, at least one above 0', () => {
    const w = z.object({ weights: weights() });
    expect(parseInput(w, { weights: { a: 0, b: 2 } })).toEqual({ weights: { a: 0, b: 2 } });
    expect(parse(w, { weights: { a: 0, b: 0 } })).toEqual({ field: 'weights', problem: 'needs at least one weight > 0' });
    expect(parse(w, { weights: { a: -1, b: 2 } })).toEqual({ field: 'weights.a', problem: 'must be a weight >= 0, got -1' });
    expect(parse(w, { weights: { a: 'x' } })).toEqual({ field: 'weights.a', problem: 'must be a weight >= 0, got "x"' });
    expect(parse(w, { weights: [1] })).toEqual({ field: 'weights', problem: 'must be an object of name: weight, got [1]' });
  });

  it('names where a problem is as written in the input, an unknown top-level field first', () => {
    const schema = z.strictObject({ a: z.number(), list: z.array(z.strictObject({ '': z.number() })) });
    expect(parse(schema, { a: 'x', list: [{ '': 1 }, { '': 'y' }] })).toMatchObject({ field: 'a' });
    expect(parse(schema, { a: 1, list: [{ '': 1 }, { '': 'y' }] })).toMatchObject({ field: 'list[1].""' });
    expect(parse(schema, { a: 'x', list: [], stray: 1 })).toMatchObject({ field: 'stray' });
    expect(parse(schema, { a: 1, list: [{ '': 1, inner: 2 }] })).toMatchObject({ field: 'list[0].inner' });
    expect(parse(schema, 7)).toMatchObject({ field: 'input' });
    expect(describeValue(undefined)).toBe('undefined');
    expect(describeValue({ a: [1] })).toBe('{"a":[1]}');
  });
});

describe('which addresses a catalog fetch may reach', () => {
  const none = new AddressPolicy('');
  it('refuses every internal range at both ends, and not the addresses just outside them', () => {
    const inside = [
      '0.0.0.0',
      '0.255.255.255',
      '10.0.0.0',
      '10.255.255.255',
      '100.64.0.0',
      '100.127.255.255',
      '127.0.0.1',
      '127.255.255.255',
      '169.254.0.0',
      '169.254.255.255',
      '172.16.0.0',
      '172.31.255.255',
      '192.0.0.0',
      '192.0.0.255',
      '192.168.0.0',
      '192.168.255.255',
      '198.18.0.0',
      '198.19.255.255',
      '224.0.0.0',
      '239.255.255.255',
      '240.0.0.0',
      '255.255.255.255',
      '::',
      '::1',
      'fc00::',
      'fdff:ffff::1',
      'fe80::',
      'febf:ffff::1',
      'ff00::',
      'ff02::1',
      '64:ff9b::1.2.3.4',
      '100::1',
      '2001:db8::1',
      '::ffff:127.0.0.1',
      '::ffff:7f00:1',
      '::FFFF:A00:1',
    ];
    const outside = [
      '1.0.0.0',
      '9.255.255.255',
      '11.0.0.0',
      '100.63.255.255',
      '100.128.0.0',
      '126.255.255.255',
      '128.0.0.0',
      '169.253.255.255',
      '169.255.0.0',
      '172.15.255.255',
      '172.32.0.0',
      '192.0.1.0',
      '192.167.255.255',
      '192.169.0.0',
      '198.17.255.255',
      '198.20.0.0',
      '223.255.255.255',
      '2606:4700::1',
      'fec0::1',
      '64:ff9b:1::1',
      '100:0:0:1::1',
      '2001:db9::1',
      '::ffff:8.8.8.8',
      '::ffff:808:808',
    ];
    expect(inside.filter((a) => none.permits(a))).toEqual([]);
    expect(outside.filter((a) => !none.permits(a))).toEqual([]);
  });

  it('lets the worker allow addresses and ranges, and refuses an allow entry that is none', () => {
    const allowed = new AddressPolicy(' 127.0.0.1, 10.1.0.0/16 ::1');
    expect(['127.0.0.1', '10.1.2.3', '::1', '::ffff:10.1.0.9'].filter((a) => !allowed.permits(a))).toEqual([]);
    expect(['127.0.0.2', '10.2.0.0'].filter((a) => allowed.permits(a))).toEqual([]);
    expect(new AddressPolicy('fc00::/7').permits('fd00::1')).toBe(true);
    expect(() => new AddressPolicy('127.0.0.1,localhost')).toThrow('WRAPPED_ETL_FETCH_ALLOW: "localhost" is not an IP address or CIDR');
    const saved = process.env.WRAPPED_ETL_FETCH_ALLOW;
    try {
      process.env.WRAPPED_ETL_FETCH_ALLOW = '192.168.1.1';
      expect(AddressPolicy.fromEnv().permits('192.168.1.1')).toBe(true);
      delete process.env.WRAPPED_ETL_FETCH_ALLOW;
      expect(AddressPolicy.fromEnv().permits('192.168.1.1')).toBe(false);
    } finally {
      if (saved === undefined) delete process.env.WRAPPED_ETL_FETCH_ALLOW;
      else process.env.WRAPPED_ETL_FETCH_ALLOW = saved;
    }
  });

  it('names the host and the address it refuses', () => {
    const tail =
      'a loopback, private, link-local or metadata address, which this worker does not fetch for workflow input (a worker allows such addresses with WRAPPED_ETL_FETCH_ALLOW)';
    expect(() => none.check('10.0.0.1', '10.0.0.1')).toThrow(new BlockedAddressError('10.0.0.1', '10.0.0.1'));
    expect(new BlockedAddressError('10.0.0.1', '10.0.0.1').message).toBe(`10.0.0.1 is ${tail}`);
    expect(new BlockedAddressError('db.local', '10.0.0.1')).toMatchObject({
      code: 'ERR_ADDRESS_BLOCKED',
      message: `db.local is at 10.0.0.1, ${tail}`,
    });
    expect(() => none.check('example.org', '93.184.216.34')).not.toThrow();
  });

  it('its lookup refuses a host name that resolves to an internal address (localhost, from the hosts file)', async () => {
    const lookup = (policy: AddressPolicy, all: boolean) =>
      new Promise<{ err: Error | null; address: unknown }>((resolve) =>
        policy.lookup('localhost', { all, family: 4 }, (err, address) => resolve({ err, address })),
      );
    const refused = await lookup(none, false);
    expect(refused.err).toBeInstanceOf(BlockedAddressError);
    expect(refused.err!.message).toMatch(/^localhost is at 127\.0\.0\.1, a loopback/);
    const allowed = new AddressPolicy('127.0.0.0/8');
    expect(await lookup(allowed, false)).toEqual({ err: null, address: '127.0.0.1' });
    expect(await lookup(allowed, true)).toEqual({ err: null, address: [{ address: '127.0.0.1', family: 4 }] });
  });
});
