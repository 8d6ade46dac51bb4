import { describe, expect, it } from 'vitest';
import { HISTORY_LAYOUTS, historyFiles } from '../../../src/export/history-files';
import { IpAddresses } from '../../../src/export/ip-address';

const layout = HISTORY_LAYOUTS['spotify-extended'];
const stream = (ts: string, pad = 0) => ({ ts, note: 'x'.repeat(pad) });

describe("historyFiles: the split of one user's streams", () => {
  it('writes nothing for a user without streams', () => {
    expect([...historyFiles([], layout, 2000)]).toEqual([]);
  });

  it('gives each file exactly JSON.stringify(streams, null, 2) and a newline, named by its years', () => {
    const streams = [stream('2023-12-31T23:59:59Z'), stream('2024-01-01T00:00:01Z'), stream('2024-06-01T10:00:00Z')];
    const [only, ...more] = historyFiles(streams, layout, 1 << 20);
    expect(more).toEqual([]);
    expect(only.name).toBe('Streaming_History_Audio_2023-2024_0.json');
    expect(only.data.toString()).toBe(JSON.stringify(streams, null, 2) + '\n');
    expect(only.streams).toBe(3);
  });

  it('closes a file when the next stream would pass the budget; a stream bigger than the budget gets a file alone', () => {
    const streams = [
      stream('2022-01-01T00:00:00Z', 300),
      stream('2022-02-01T00:00:00Z', 300),
      stream('2023-01-01T00:00:00Z', 3000),
      stream('2024-01-01T00:00:00Z', 10),
    ];
    const files = [...historyFiles(streams, layout, 1000)];
    expect(files.map((f) => [f.name, f.streams])).toEqual([
      ['Streaming_History_Audio_2022_0.json', 2],
      ['Streaming_History_Audio_2023_1.json', 1],
      ['Streaming_History_Audio_2024_2.json', 1],
    ]);
    expect(files[0].data.length).toBeLessThanOrEqual(1000);
    expect(files[1].data.length).toBeGreaterThan(1000);
    expect(files.flatMap((f) => JSON.parse(f.data.toString()))).toEqual(streams);
  });
});

describe('IpAddresses', () => {
  it('gives one address per user, city and network, the same from a fresh instance, and another seed another address', () => {
    const home = { country: 'DE', city: 'Berlin' };
    const a = new IpAddresses(7);
    const b = new IpAddresses(7);
    expect(a.of(1, home, 'osx')).toBe(a.of(1, home, 'windows'));
    expect(a.of(1, home, 'android')).toBe(b.of(1, home, 'ios'));
    expect(a.of(1, home, 'android')).not.toBe(a.of(1, home, 'osx'));
    expect(a.of(1, { country: 'FR', city: 'Paris' }, 'osx')).not.toBe(a.of(1, home, 'osx'));
    expect(new IpAddresses(9).of(1, home, 'osx')).not.toBe(a.of(1, home, 'osx'));
    const many = Array.from({ length: 200 }, (_, u) => new IpAddresses(8).of(u + 1, home, 'ios'));
    expect(new Set(many).size).toBeGreaterThan(150);
    expect(many.every((ip) => /^(192\.0\.2|198\.51\.100|203\.0\.113)\.\d{1,3}$/.test(ip) || /^2001:db8(:[0-9a-f]{1,4}){6}$/.test(ip))).toBe(
      true,
    );
  });
});
