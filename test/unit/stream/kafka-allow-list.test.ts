import { describe, expect, it } from 'vitest';
import { resolveStreamInput } from '../../../src/config/stream-input';
import { resolveWorldAdvanceInput } from '../../../src/config/world-input';
import { KafkaAllowList } from '../../../src/stream/kafka-allow-list';
import { registrySubjectsUrl } from '../../../src/config/registry-url';

describe('the Kafka allow-list of a worker', () => {
  it('allows nothing by default, with a message that says how to allow', () => {
    expect(() => new KafkaAllowList().checkBrokers(['127.0.0.1:9092'])).toThrow(
      /brokers: broker 127.0.0.1:9092 is not allowed by this worker; .*WRAPPED_ETL_KAFKA_ALLOW/,
    );
  });

  it('refuses without listing what it allows', () => {
    const allow = new KafkaAllowList('kafka-internal:9092, registry-internal:8081');
    for (const check of [() => allow.checkBrokers(['evil:9092']), () => allow.checkRegistry('http://evil:8081')]) {
      expect(check).toThrow(/is not allowed by this worker/);
      expect(check).not.toThrow(/internal/);
    }
  });

  it('takes a registry as a base URL only: no query, fragment, credentials or odd path segments', () => {
    const allow = new KafkaAllowList('host:8081');
    for (const url of [
      'http://host:8081/internal/admin/api?token=x#',
      'http://host:8081/a/../admin',
      'http://host:8081/a/%2e%2e/admin',
      'http://host:8081/?a=1',
      'http://host:8081/#',
      'http://u:p@host:8081',
    ])
      expect(() => allow.checkRegistry(url)).toThrow(
        /invalid input: schemaRegistry: must be a base URL http\(s\):\/\/HOST\[:PORT\]\[\/PATH\]/,
      );
    expect(() =>
      resolveStreamInput({ world: 'w', brokers: ['k:9092'], topic: 't', schemaRegistry: 'http://host:8081/internal?token=x' }),
    ).toThrow(/invalid input: schemaRegistry: must be a base URL .*no query or fragment/);
    expect(resolveStreamInput({ world: 'w', brokers: ['k:9092'], topic: 't', schemaRegistry: 'http://host:8081/' }).schemaRegistry).toBe(
      'http://host:8081/',
    );
    expect(registrySubjectsUrl('http://host:8081/apis/ccompat/v7/')).toBe('http://host:8081/apis/ccompat/v7/subjects');
    expect(registrySubjectsUrl('http://host:8081')).toBe('http://host:8081/subjects');
  });

  it('allows exactly the HOST:PORT entries listed, for brokers and a registry URL', () => {
    const allow = new KafkaAllowList('kafka-1:9092, 127.0.0.1:8081');
    expect(() => allow.checkBrokers(['KAFKA-1:9092'])).not.toThrow();
    expect(() => allow.checkBrokers(['kafka-1:9092', 'kafka-2:9092'])).toThrow(/broker kafka-2:9092/);
    expect(() => allow.checkRegistry('http://127.0.0.1:8081/')).not.toThrow();
    expect(() => allow.checkRegistry('http://127.0.0.1/')).toThrow(/schema registry 127.0.0.1:80 is not allowed/);
    expect(() => allow.checkRegistry('file:///etc/passwd')).toThrow(/schemaRegistry: must be a base URL http\(s\):.*http or https only/);
    expect(() => new KafkaAllowList('10.0.0.0/8')).toThrow(/"10.0.0.0\/8" is not HOST:PORT/);
  });
});

describe('the stream workflow input', () => {
  it('fills in defaults and names the field that is wrong', () => {
    expect(resolveStreamInput({ world: 'w', brokers: ['k:9092'], topic: 't' })).toEqual({
      world: 'w',
      out: 'data',
      brokers: ['k:9092'],
      topic: 't',
      from: null,
      speed: 'max',
      schemaRegistry: null,
      partitions: 6,
      follow: false,
      pollSeconds: 60,
    });
    expect(() => resolveStreamInput({ world: '../w', brokers: ['k:9092'], topic: 't' })).toThrow(/invalid input: world:/);
    expect(() => resolveStreamInput({ world: 'w', brokers: 'k:9092', topic: 't' })).toThrow(
      /invalid input: brokers: must be a list of HOST:PORT/,
    );
    expect(() => resolveStreamInput({ world: 'w', brokers: ['k:9092'], topic: 'a/b' })).toThrow(/invalid input: topic:/);
    expect(() => resolveStreamInput({ world: 'w', brokers: ['k:9092'], topic: 't', speed: 0 })).toThrow(/invalid input: speed:/);
    expect(() => resolveStreamInput({ world: 'w', brokers: ['k:9092'], topic: 't', path: '/etc' })).toThrow(
      /invalid input: path: unknown field; known fields: world, out/,
    );
  });
});

describe('the world advance input', () => {
  it('takes days or through, names the field that is wrong', () => {
    expect(resolveWorldAdvanceInput({ world: 'w' })).toEqual({ world: 'w', out: 'data', days: 1, through: null });
    expect(resolveWorldAdvanceInput({ world: 'w', out: 'x', through: '2025-02-28' })).toEqual({
      world: 'w',
      out: 'x',
      days: null,
      through: '2025-02-28',
    });
    expect(() => resolveWorldAdvanceInput({ world: 'w', days: 2, through: '2025-02-28' })).toThrow(
      /invalid input: days: give days or through, not both/,
    );
    expect(() => resolveWorldAdvanceInput({ world: 'w', through: '2025-02-30' })).toThrow(
      /invalid input: through: must be a day YYYY-MM-DD/,
    );
    expect(() => resolveWorldAdvanceInput({ world: 'w', days: 0 })).toThrow(/invalid input: days: must be a whole number from 1 to 3660/);
    expect(() => resolveWorldAdvanceInput({ world: 'a/b' })).toThrow(/invalid input: world: must be 1-128 letters/);
    expect(() => resolveWorldAdvanceInput([])).toThrow(/invalid input: input: must be a JSON object/);
  });
});
