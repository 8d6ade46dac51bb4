import { describe, expect, it } from 'vitest';
import { InputError } from '../../../src/domain/errors';
import { storeKeyProblem } from '../../../src/runtime/storage/object-store';
import { s3ClientSettings } from '../../../src/runtime/storage/s3-client';
import { allowedS3Locations, confineS3Location, parseS3Location } from '../../../src/runtime/storage/s3-location';

describe('storeKeyProblem', () => {
  it.each([
    ['', 'is empty'],
    ['/etc/passwd', 'absolute'],
    ['a/../../b', "'..' segment"],
    ['..', "'..' segment"],
    ['a/./b', "'.' or '..' segment"],
    ['a//b', 'empty'],
    ['a/', 'empty'],
    ['a\\..\\b', 'backslash'],
    ['a/%2e%2e/b', 'percent-encoding'],
    ['a%2Fb', 'percent-encoding'],
    ['a/\u0000b', 'control'],
    ['a/\u0085b', 'control'], // C1 next-line
    ['a/\u202eb', 'format'], // right-to-left override
    ['a/\u200bb', 'format'], // zero-width space
    ['a/\u2028b', 'line-separator'],
    ['a/\ud800b', 'surrogate'],
    ['a/\udc00', 'surrogate'],
    ['a/\uff0e\uff0e/b', 'NFKC'], // fullwidth dots: '..' once normalised
    ['a\uff0fb', 'NFKC'], // fullwidth solidus: '/' once normalised
    ['a/\u2024\u2024/b', 'NFKC'], // one-dot leaders
    ['cafe\u0301', 'NFKC'], // decomposed é
  ])('refuses %j (%s)', (key, problem) => {
    expect(storeKeyProblem(key)).toContain(problem);
  });

  it.each(['parts/part-00001.avro', 'run-1/manifest.json', 'données/été', 'a.b/..c/d..', '😀/x'])('takes %j', (key) => {
    expect(storeKeyProblem(key)).toBeUndefined();
  });
});

describe('s3 locations', () => {
  it('parses bucket and prefix, with or without a trailing slash', () => {
    expect(parseS3Location('out', 's3://data')).toEqual({ bucket: 'data', prefix: '' });
    expect(parseS3Location('out', 's3://data/')).toEqual({ bucket: 'data', prefix: '' });
    expect(parseS3Location('out', 's3://data/runs/nightly/')).toEqual({ bucket: 'data', prefix: 'runs/nightly' });
  });

  it.each([
    ['s3://', 'bucket name'],
    ['s3://Data/x', 'bucket name'],
    ['s3://a/x', 'bucket name'],
    ['s3://my..bucket/x', 'bucket name'],
    ['s3://data/../other', "'..' segment"],
    ['s3://data//x', 'absolute'],
    ['s3://data/x/%2e%2e', 'percent-encoding'],
    ['s3://data/\uff0e\uff0e', 'NFKC'],
    ['http://data/x', 'must start with s3://'],
  ])('refuses %j naming the field', (text, problem) => {
    expect(() => parseS3Location('out', text)).toThrow(InputError);
    expect(() => parseS3Location('out', text)).toThrow(new RegExp(`^invalid input: out: .*${problem.replace(/[.*]/g, '\\$&')}`));
  });
});

describe('WRAPPED_ETL_S3_ALLOW confinement', () => {
  const allowed = allowedS3Locations('data, shared/teams/etl ,s3://other');

  it('reads bucket and bucket/prefix entries', () => {
    expect(allowed).toEqual([
      { bucket: 'data', prefix: '' },
      { bucket: 'shared', prefix: 'teams/etl' },
      { bucket: 'other', prefix: '' },
    ]);
    expect(allowedS3Locations(undefined)).toEqual([]);
    expect(() => allowedS3Locations('data,../x')).toThrow(/WRAPPED_ETL_S3_ALLOW: the entry "..\/x"/);
  });

  it.each(['s3://data', 's3://data/any/thing', 's3://shared/teams/etl', 's3://shared/teams/etl/run-1', 's3://other/x'])(
    'takes %j',
    (text) => {
      expect(() => confineS3Location('out', text, allowed)).not.toThrow();
    },
  );

  it.each(['s3://secret/x', 's3://shared', 's3://shared/teams', 's3://shared/teams/etl2', 's3://shared/teams/etlx/y', 's3://datab/x'])(
    'refuses %j at once, naming the field and not the list',
    (text) => {
      let err: unknown;
      try {
        confineS3Location('out', text, allowed);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(InputError);
      expect((err as InputError).field).toBe('out');
      expect((err as Error).message).toContain('WRAPPED_ETL_S3_ALLOW');
      const rest = (err as Error).message.replace(`"${text}"`, '');
      for (const entry of ['teams/etl', 'data', 'shared', 'other']) expect(rest).not.toContain(entry);
    },
  );

  it('refuses every bucket when the worker allows none', () => {
    expect(() => confineS3Location('input', 's3://data/x', [])).toThrow(/^invalid input: input: .*WRAPPED_ETL_S3_ALLOW is not set/);
  });
});

describe('S3 client settings', () => {
  it('come from the worker environment only', () => {
    expect(s3ClientSettings({})).toEqual({ endpoint: undefined, region: undefined, forcePathStyle: false });
    expect(s3ClientSettings({ AWS_ENDPOINT_URL: 'http://a:1', AWS_ENDPOINT_URL_S3: 'http://b:2', WRAPPED_ETL_S3_PATH_STYLE: '1' })).toEqual(
      { endpoint: 'http://b:2', region: 'us-east-1', forcePathStyle: true },
    );
    expect(s3ClientSettings({ AWS_DEFAULT_REGION: 'eu-west-3', WRAPPED_ETL_S3_PATH_STYLE: 'false' })).toEqual({
      endpoint: undefined,
      region: 'eu-west-3',
      forcePathStyle: false,
    });
  });
});
