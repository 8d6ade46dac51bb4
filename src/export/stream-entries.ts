import type { ColumnBatch } from '../formats/avro/column-decoder';
import { endsEarly, PlaybackMachine, sessionTraits, skippedOf } from '../simulation/playback-context';
import { SESSION_GAP_MS } from '../simulation/session-calendar';
import type { HistoryEntries } from './history-files';
import { IpAddresses } from './ip-address';
import { isoSeconds, minuteUtc, trackUri, type SpotifyFormat } from './spotify-export';

/** The fields of a part an export reads (the v2 ones are absent from a v1 part: derived, as toStreams does). */
export const EXPORT_FIELDS = [
  'user_id',
  'user_location.country',
  'user_location.city',
  'interaction',
  'song_name',
  'artist',
  'album',
  'listening_time.start_time',
  'listening_time.end_time',
  'session_id',
  'device',
  'reason_start',
  'reason_end',
  'shuffle',
  'offline',
  'incognito_mode',
] as const;

type Text = string | null;

/**
 * One user's records as read from a part's columns, field by field (no object per record),
 * in the part's order. Reused user after user.
 */
export class UserColumns {
  userId = 0;
  readonly start: number[] = [];
  readonly end: number[] = [];
  readonly country: Text[] = [];
  readonly city: Text[] = [];
  readonly interaction: Text[] = [];
  readonly title: Text[] = [];
  readonly artist: Text[] = [];
  /** empty for a v1 part */
  readonly album: Text[] = [];
  /** the v2 playback context; empty for a v1 part (no session_id column) */
  readonly device: Text[] = [];
  readonly reasonStart: Text[] = [];
  readonly reasonEnd: Text[] = [];
  /** booleans as a column holds them: 1 true, 0 false, NaN null */
  readonly shuffle: number[] = [];
  readonly offline: number[] = [];
  readonly incognito: number[] = [];

  get length(): number {
    return this.start.length;
  }

  clear(userId: number): void {
    this.userId = userId;
    for (const list of [this.start, this.end, this.country, this.city, this.interaction, this.title, this.artist, this.album])
      list.length = 0;
    for (const list of [this.device, this.reasonStart, this.reasonEnd, this.shuffle, this.offline, this.incognito]) list.length = 0;
  }

  /** Appends rows [from, to) of a batch read with EXPORT_FIELDS. */
  append(batch: ColumnBatch, from: number, to: number): void {
    const copy = <T>(into: T[], column: ArrayLike<T>) => {
      for (let i = from; i < to; i++) into.push(column[i]);
    };
    copy(this.start, batch.numbers('listening_time.start_time'));
    copy(this.end, batch.numbers('listening_time.end_time'));
    copy(this.country, batch.strings('user_location.country'));
    copy(this.city, batch.strings('user_location.city'));
    copy(this.interaction, batch.strings('interaction'));
    copy(this.title, batch.strings('song_name'));
    copy(this.artist, batch.strings('artist'));
    if (batch.has('album')) copy(this.album, batch.strings('album'));
    if (!batch.has('session_id')) return;
    copy(this.device, batch.strings('device'));
    copy(this.reasonStart, batch.strings('reason_start'));
    copy(this.reasonEnd, batch.strings('reason_end'));
    copy(this.shuffle, batch.numbers('shuffle'));
    copy(this.offline, batch.numbers('offline'));
    copy(this.incognito, batch.numbers('incognito_mode'));
  }
}

const MAX_CACHED = 200_000;
const ascii = (text: string): Uint8Array => Buffer.from(text, 'latin1');
const NULL = ascii('null');

/**
 * JSON texts, as UTF-8 bytes, of the strings a thread's exports repeat (countries, cities,
 * devices, reasons, addresses, titles): each quoted by JSON.stringify and encoded once.
 * Cleared when full.
 */
class QuotedStrings {
  private readonly known = new Map<string, Uint8Array>();

  of(s: Text): Uint8Array {
    if (s === null || s === undefined) return NULL;
    let q = this.known.get(s);
    if (q === undefined) {
      if (this.known.size >= MAX_CACHED) this.known.clear();
      q = Buffer.from(JSON.stringify(s));
      this.known.set(s, q);
    }
    return q;
  }
}

const quoted = new QuotedStrings();

/** Spotify track URIs by artist and title: a hash and 22 base-62 digits each, made once per song in a thread. */
const uris = new Map<Text, Map<Text, string>>();
let urisHeld = 0;

function uriOf(artist: Text, title: Text): string {
  let byTitle = uris.get(artist);
  if (byTitle === undefined) uris.set(artist, (byTitle = new Map()));
  let uri = byTitle.get(title);
  if (uri === undefined) {
    if (urisHeld >= MAX_CACHED) {
      uris.clear();
      urisHeld = 0;
      uris.set(artist, byTitle);
    }
    uri = trackUri(artist as string, title as string);
    byTitle.set(title, uri);
    urisHeld++;
  }
  return uri;
}

const MS_PER_DAY = 86_400_000;
/** times from 1970 to 9999 are written digit by digit; others as isoSeconds / minuteUtc give them */
const LAST_FOUR_DIGIT_MS = 253_402_300_800_000;

/**
 * A growing byte buffer that entries are written into: bytes, ASCII text and whole numbers
 * as JSON.stringify writes them, without a string per entry.
 */
class EntryWriter {
  data = Buffer.allocUnsafe(1 << 20);
  pos = 0;
  private dayOfDate = NaN;
  private readonly dateBytes = new Uint8Array(10);
  private year = 0;

  private room(n: number): void {
    if (this.pos + n <= this.data.length) return;
    const grown = Buffer.allocUnsafe(Math.max(this.data.length * 2, this.pos + n));
    grown.set(this.data.subarray(0, this.pos));
    this.data = grown;
  }

  bytes(b: Uint8Array): void {
    this.room(b.length);
    this.data.set(b, this.pos);
    this.pos += b.length;
  }

  text(s: string): void {
    this.bytes(Buffer.from(s));
  }

  /** a number as JSON.stringify writes it */
  number(n: number): void {
    if (!(n >= 0 && n <= 0xffffffffff && n === Math.floor(n))) return this.text(Number.isFinite(n) ? String(n) : 'null');
    this.room(13);
    const d = this.data;
    if (n === 0) {
      d[this.pos++] = 0x30;
      return;
    }
    let digits = 0;
    for (let m = n; m >= 1; m = Math.floor(m / 10)) digits++;
    let at = (this.pos += digits);
    for (let m = n; m >= 1; m = Math.floor(m / 10)) d[--at] = 0x30 + (m % 10);
  }

  private two(n: number): void {
    this.data[this.pos++] = 0x30 + Math.floor(n / 10);
    this.data[this.pos++] = 0x30 + (n % 10);
  }

  /**
   * The UTC time `ms` as isoSeconds ('2025-01-31T08:05:09Z', `seconds`) or minuteUtc
   * ('2025-01-31 08:05') writes it, quoted; returns the year its text starts with.
   */
  utc(ms: number, seconds: boolean): number {
    if (!(ms >= 0 && ms < LAST_FOUR_DIGIT_MS)) {
      const text = seconds ? isoSeconds(ms) : minuteUtc(ms);
      this.text(JSON.stringify(text));
      return Number(text.slice(0, 4));
    }
    const day = Math.floor(ms / MS_PER_DAY);
    if (day !== this.dayOfDate) {
      this.dayOfDate = day;
      const date = new Date(day * MS_PER_DAY).toISOString().slice(0, 10);
      this.dateBytes.set(ascii(date));
      this.year = Number(date.slice(0, 4));
    }
    this.room(22);
    const d = this.data;
    d[this.pos++] = 0x22;
    d.set(this.dateBytes, this.pos);
    this.pos += 10;
    d[this.pos++] = seconds ? 0x54 : 0x20;
    const s = Math.floor((ms - day * MS_PER_DAY) / 1000);
    this.two(Math.floor(s / 3600));
    d[this.pos++] = 0x3a;
    this.two(Math.floor(s / 60) % 60);
    if (seconds) {
      d[this.pos++] = 0x3a;
      this.two(s % 60);
      d[this.pos++] = 0x5a;
    }
    d[this.pos++] = 0x22;
    return this.year;
  }
}

/** A boolean column's value as JSON.stringify writes the boolean (NaN: null). */
const TRUE = ascii('true');
const FALSE = ascii('false');
const flagBytes = (v: number): Uint8Array => (v !== v ? NULL : v === 1 ? TRUE : FALSE);
const booleanBytes = (b: boolean): Uint8Array => (b ? TRUE : FALSE);

/** The lines of an extended stream that depend on its song only, from track name to the audiobook fields. */
class SongLines {
  private readonly known = new Map<Text, Map<Text, { album: Text; bytes: Uint8Array }>>();

  of(title: Text, artist: Text, album: Text): Uint8Array {
    let byTitle = this.known.get(artist);
    if (byTitle === undefined) this.known.set(artist, (byTitle = new Map()));
    let lines = byTitle.get(title);
    if (lines === undefined || lines.album !== album) {
      const name = JSON.stringify(title);
      // a song without a known album stands as its own single, as Spotify lists singles
      const albumName = album ? JSON.stringify(album) : name;
      const text =
        `    "master_metadata_track_name": ${name},\n` +
        `    "master_metadata_album_artist_name": ${JSON.stringify(artist)},\n` +
        `    "master_metadata_album_album_name": ${albumName},\n` +
        `    "spotify_track_uri": ${JSON.stringify(uriOf(artist, title))},\n` +
        `    "episode_name": null,\n    "episode_show_name": null,\n    "spotify_episode_uri": null,\n` +
        `    "audiobook_title": null,\n    "audiobook_uri": null,\n    "audiobook_chapter_uri": null,\n    "audiobook_chapter_title": null,\n` +
        `    "reason_start": `;
      lines = { album, bytes: Buffer.from(text) };
      byTitle.set(title, lines);
    }
    return lines.bytes;
  }
}

/** Stable order of the rows by `key` (insertion order on ties, as Array.prototype.sort). */
function orderBy(key: readonly number[], rows: number[]): number[] {
  for (let i = 1; i < rows.length; i++) if (key[rows[i]] < key[rows[i - 1]]) return rows.sort((a, b) => key[a] - key[b]);
  return rows;
}

// the fixed text between an entry's values, as JSON.stringify(stream, null, 2) indented by two spaces lays it out
const SEPARATOR = ascii(',\n');
const EXT = {
  ts: ascii('  {\n    "ts": '),
  platform: ascii(',\n    "platform": '),
  msPlayed: ascii(',\n    "ms_played": '),
  country: ascii(',\n    "conn_country": '),
  ip: ascii(',\n    "ip_addr": '),
  afterIp: ascii(',\n'),
  reasonEnd: ascii(',\n    "reason_end": '),
  shuffle: ascii(',\n    "shuffle": '),
  skipped: ascii(',\n    "skipped": '),
  offline: ascii(',\n    "offline": '),
  offlineTimestamp: ascii(',\n    "offline_timestamp": '),
  incognito: ascii(',\n    "incognito_mode": '),
  close: ascii('\n  }'),
};
const BASIC = {
  endTime: ascii('  {\n    "endTime": '),
  artist: ascii(',\n    "artistName": '),
  track: ascii(',\n    "trackName": '),
  msPlayed: ascii(',\n    "msPlayed": '),
  close: ascii('\n  }'),
};

/**
 * One run's export renderer: a user's records (UserColumns) as the entries of their history
 * files, byte for byte what JSON.stringify of toStreams' objects gives (historyFiles), written
 * as bytes straight from the columns. Its HistoryEntries hold until the next render.
 */
export class StreamEntries {
  private readonly songs = new SongLines();
  private readonly out = new EntryWriter();
  /** a v1 run's albums by `${artist}\u0000${title}` (AlbumFiller.albums) */
  albums: ReadonlyMap<string, string> | undefined;

  constructor(
    private readonly seed: number,
    private readonly format: SpotifyFormat,
  ) {}

  render(u: UserColumns): HistoryEntries {
    const n = u.length;
    const byStart = orderBy(
      u.start,
      Array.from({ length: n }, (_, i) => i),
    );
    // by end time, ties in start order (toStreams sorts the start-ordered records by end)
    const endOf = new Array<number>(n);
    for (let k = 0; k < n; k++) endOf[k] = u.end[byStart[k]];
    const byEnd = orderBy(
      endOf,
      Array.from({ length: n }, (_, k) => k),
    );
    const starts = new Int32Array(n);
    const ends = new Int32Array(n);
    const years = new Int32Array(n);
    const out = this.out;
    out.pos = 0;
    if (this.format === 'spotify-basic') {
      for (let j = 0; j < n; j++) {
        const i = byStart[byEnd[j]];
        if (j > 0) out.bytes(SEPARATOR);
        starts[j] = out.pos;
        out.bytes(BASIC.endTime);
        years[j] = out.utc(u.end[i], false);
        out.bytes(BASIC.artist);
        out.bytes(quoted.of(u.artist[i]));
        out.bytes(BASIC.track);
        out.bytes(quoted.of(u.title[i]));
        out.bytes(BASIC.msPlayed);
        out.number(Math.max(0, u.end[i] - u.start[i]));
        out.bytes(BASIC.close);
        ends[j] = out.pos;
      }
      return { data: out.data, starts, ends, years, length: n };
    }
    const context = this.contexts(u, byStart);
    const ips = new IpAddresses(this.seed);
    let lastCountry: Text = null;
    let lastCity: Text = null;
    let lastDevice: Text = null;
    let ip = NULL;
    for (let j = 0; j < n; j++) {
      const k = byEnd[j];
      const i = byStart[k];
      const device = context.device[k];
      const country = u.country[i];
      const city = u.city[i];
      if (j === 0 || country !== lastCountry || city !== lastCity || device !== lastDevice) {
        ip = quoted.of(ips.of(u.userId, { country: country as string, city: city as string }, device as string));
        [lastCountry, lastCity, lastDevice] = [country, city, device];
      }
      const album = u.album.length ? u.album[i] : (this.albums?.get(`${u.artist[i]}\u0000${u.title[i]}`) ?? null);
      if (j > 0) out.bytes(SEPARATOR);
      starts[j] = out.pos;
      out.bytes(EXT.ts);
      years[j] = out.utc(u.end[i], true);
      out.bytes(EXT.platform);
      out.bytes(quoted.of(device));
      out.bytes(EXT.msPlayed);
      out.number(Math.max(0, u.end[i] - u.start[i]));
      out.bytes(EXT.country);
      out.bytes(quoted.of(country));
      out.bytes(EXT.ip);
      out.bytes(ip);
      out.bytes(EXT.afterIp);
      out.bytes(this.songs.of(u.title[i], u.artist[i], album));
      out.bytes(quoted.of(context.reasonStart[k]));
      out.bytes(EXT.reasonEnd);
      out.bytes(quoted.of(context.reasonEnd[k]));
      out.bytes(EXT.shuffle);
      out.bytes(context.shuffle[k]);
      out.bytes(EXT.skipped);
      out.bytes(booleanBytes(skippedOf(context.reasonEnd[k] as string, endsEarly(u.interaction[i] as string))));
      out.bytes(EXT.offline);
      out.bytes(context.offline[k]);
      out.bytes(EXT.offlineTimestamp);
      out.number(Math.floor(u.start[i] / 1000));
      out.bytes(EXT.incognito);
      out.bytes(context.incognito[k]);
      out.bytes(EXT.close);
      ends[j] = out.pos;
    }
    return { data: out.data, starts, ends, years, length: n };
  }

  /**
   * The playback context of each record in start order (byStart): a v2 part's own columns, or
   * derived as playbackContextsOf derives it for a v1 run (sessions split by gaps of
   * SESSION_GAP_MS, each with its traits and PlaybackMachine). Booleans as JSON bytes.
   */
  private contexts(u: UserColumns, byStart: readonly number[]) {
    const n = byStart.length;
    const c = {
      device: new Array<Text>(n),
      reasonStart: new Array<Text>(n),
      reasonEnd: new Array<Text>(n),
      shuffle: new Array<Uint8Array>(n),
      offline: new Array<Uint8Array>(n),
      incognito: new Array<Uint8Array>(n),
    };
    if (u.device.length) {
      for (let k = 0; k < n; k++) {
        const i = byStart[k];
        c.device[k] = u.device[i];
        c.reasonStart[k] = u.reasonStart[i];
        c.reasonEnd[k] = u.reasonEnd[i];
        c.shuffle[k] = flagBytes(u.shuffle[i]);
        c.offline[k] = flagBytes(u.offline[i]);
        c.incognito[k] = flagBytes(u.incognito[i]);
      }
      return c;
    }
    let session = 0;
    let machine: PlaybackMachine | undefined;
    for (let k = 0; k < n; k++) {
      const i = byStart[k];
      if (k > 0 && u.start[i] - u.end[byStart[k - 1]] >= SESSION_GAP_MS) {
        session++;
        machine = undefined;
      }
      if (machine === undefined) {
        const { traits, rng } = sessionTraits(this.seed, u.userId, session);
        machine = new PlaybackMachine(rng, traits);
      }
      const { traits } = machine;
      const reasons = machine.step(u.interaction[i] as string);
      c.device[k] = traits.device;
      c.reasonStart[k] = reasons.reason_start;
      c.reasonEnd[k] = reasons.reason_end;
      c.shuffle[k] = booleanBytes(traits.shuffle);
      c.offline[k] = booleanBytes(traits.offline);
      c.incognito[k] = booleanBytes(traits.incognito);
    }
    return c;
  }
}
