import { AXES, NEGATIVE_POLE, POSITIVE_POLE } from '../../domain/personality';
import { PARK_2019_HOUR_DOW, WEEK_DAYS } from '../../simulation/park-2019';
import type { RankedName, RankedSong, ScopeSummary, TimelinePoint, UserWrapped, WrappedSummary } from './wrapped-types';

/** The report is one HTML file with inline CSS and SVG: no script, font or image from anywhere. */

const esc = (s: string | number): string =>
  String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

export const formatMinutes = (minutes: number): string => Math.round(minutes).toLocaleString('en-US');
export const formatPercent = (share: number): string => `${(share * 100).toFixed(1)}%`;
export const formatHour = (h: number): string => `${String(h).padStart(2, '0')}:00–${String((h + 1) % 24).padStart(2, '0')}:00`;

function hourChart(minutesByHour: number[], label: string): string {
  const w = 720,
    h = 220,
    left = 50,
    bottom = 30,
    top = 10;
  const max = Math.max(1, ...minutesByHour);
  const bw = (w - left - 10) / 24;
  const bars = minutesByHour
    .map((m, i) => {
      const bh = ((h - bottom - top) * m) / max;
      const x = left + i * bw;
      return (
        `<rect x="${(x + 2).toFixed(1)}" y="${(h - bottom - bh).toFixed(1)}" width="${(bw - 4).toFixed(1)}" height="${bh.toFixed(1)}" class="bar"><title>${formatHour(i)}: ${formatMinutes(m)} min</title></rect>` +
        (i % 3 === 0 ? `<text x="${(x + bw / 2).toFixed(1)}" y="${h - bottom + 16}" class="tick" text-anchor="middle">${i}</text>` : '')
      );
    })
    .join('');
  return `<svg viewBox="0 0 ${w} ${h}" role="img" aria-label="${esc(label)}" class="chart">
<line x1="${left}" y1="${h - bottom}" x2="${w - 10}" y2="${h - bottom}" class="axis"/>
<text x="${left - 6}" y="${top + 10}" class="tick" text-anchor="end">${formatMinutes(max)}</text>
<text x="${left - 6}" y="${h - bottom}" class="tick" text-anchor="end">0</text>${bars}</svg>`;
}

/** A weekday x hour grid as a heatmap, each cell shaded by its share of the grid's busiest cell. */
function weekdayHourHeatmap(grid: readonly (readonly number[])[], label: string, field: string, unit: string): string {
  const cell = 13,
    left = 34,
    top = 4,
    w = left + 24 * cell + 4,
    h = top + 7 * cell + 18;
  const flat = grid.flat();
  const lo = Math.min(...flat),
    hi = Math.max(...flat);
  const cells = grid
    .map((row, d) =>
      row
        .map((v, hour) => {
          const level = hi > lo ? (v - lo) / (hi - lo) : 0;
          return `<rect x="${left + hour * cell}" y="${top + d * cell}" width="${cell - 1}" height="${cell - 1}" class="heat" fill-opacity="${(0.06 + 0.94 * level).toFixed(3)}"><title>${WEEK_DAYS[d]} ${formatHour(hour)}: ${esc(Number(v.toFixed(3)))} ${unit}</title></rect>`;
        })
        .join(''),
    )
    .join('');
  const days = WEEK_DAYS.map((d, i) => `<text x="${left - 4}" y="${top + i * cell + 10}" class="tick" text-anchor="end">${d}</text>`).join(
    '',
  );
  const hours = [0, 6, 12, 18].map((hour) => `<text x="${left + hour * cell}" y="${h - 4}" class="tick">${hour}</text>`).join('');
  return `<figure class="heatmap"><svg viewBox="0 0 ${w} ${h}" role="img" aria-label="${esc(label)}" class="chart" data-field="${field}">${cells}${days}${hours}</svg><figcaption>${esc(label)}</figcaption></figure>`;
}

function rankChart(items: { label: string; minutes: number; plays: number }[], label: string, field: string): string {
  const rowH = 26,
    w = 720,
    labelW = 300;
  const max = Math.max(1, ...items.map((i) => i.plays));
  const rows = items
    .map((it, i) => {
      const bw = ((w - labelW - 200) * it.plays) / max;
      const y = i * rowH;
      const shown = it.label.length > 42 ? it.label.slice(0, 41) + '…' : it.label;
      return (
        `<text x="0" y="${y + 17}" class="label"><title>${esc(it.label)}</title>${i + 1}. ${esc(shown)}</text>` +
        `<rect x="${labelW}" y="${y + 4}" width="${bw.toFixed(1)}" height="${rowH - 8}" class="bar"/>` +
        `<text x="${(labelW + bw + 6).toFixed(1)}" y="${y + 17}" class="value">${it.plays.toLocaleString('en-US')} plays · ${formatMinutes(it.minutes)} min</text>`
      );
    })
    .join('');
  return `<svg viewBox="0 0 ${w} ${Math.max(rowH, items.length * rowH)}" role="img" aria-label="${esc(label)}" class="chart" data-field="${field}">${rows}</svg>`;
}

const songItems = (songs: RankedSong[]) => songs.map((s) => ({ label: `${s.song} — ${s.artist}`, minutes: s.minutes, plays: s.plays }));
const nameItems = (names: RankedName[]) => names.map((n) => ({ label: n.name, minutes: n.minutes, plays: n.plays }));

function list(items: string[], field: string): string {
  return `<ol data-field="${field}">${items.map((i) => `<li>${esc(i)}</li>`).join('')}</ol>`;
}

function personalityBlock(u: UserWrapped): string {
  if (!u.inferred) {
    return `<p>Assigned personality: <strong data-field="assigned-personality">${esc(u.personality)}</strong>; no behaviour-based inference available.</p>`;
  }
  const axes = AXES.map((a) => {
    const score = u.inferred!.axes[a];
    const pct = Math.max(0, Math.min(100, (score + 1) * 50));
    return `<div class="axis-row"><span class="pole">${NEGATIVE_POLE[a]}</span>
<svg viewBox="0 0 200 14" class="axis-bar"><rect x="0" y="3" width="200" height="8" rx="4" class="track"/><line x1="100" y1="0" x2="100" y2="14" class="mid"/><circle cx="${(pct * 2).toFixed(1)}" cy="7" r="6" class="dot"/></svg>
<span class="pole">${POSITIVE_POLE[a]}</span><span class="score" data-field="axis-${a}">${score.toFixed(2)}</span></div>`;
  }).join('');
  return `<p>Inferred from behaviour: <strong data-field="inferred-personality">${esc(u.inferred.personality)}</strong>
(assigned: <span data-field="assigned-personality">${esc(u.personality)}</span>)</p>${axes}`;
}

function userCard(u: UserWrapped): string {
  return `<section class="card" id="wrapped-card">
<h2>Wrapped of user <span data-field="user-id">${u.user_id}</span> <small>${esc(u.home_city)}, ${esc(u.home_country)}</small></h2>
<div class="figures">
<div><span class="big" data-field="minutes">${formatMinutes(u.minutes)}</span> minutes listened</div>
<div><span class="big" data-field="distinct-songs">${u.distinct_songs}</span> different songs</div>
<div><span class="big" data-field="distinct-artists">${u.distinct_artists}</span> different artists</div>
<div><span class="big" data-field="active-hour">${formatHour(u.most_active_local_hour)}</span> most active hour (local)</div>
<div><span class="big" data-field="skip-rate">${formatPercent(u.skip_rate)}</span> skipped</div>
</div>
<div class="tops">
<div><h3>Top songs</h3>${list(
    u.top_songs.map((s) => `${s.song} — ${s.artist}`),
    'top-songs',
  )}</div>
<div><h3>Top artists</h3>${list(
    u.top_artists.map((a) => a.name),
    'top-artists',
  )}</div>
<div><h3>Top genres</h3>${list(
    u.top_genres.map((g) => g.name),
    'top-genres',
  )}</div>
</div>
<h3>Listening personality</h3>${personalityBlock(u)}
<h3>Minutes by local hour</h3>${hourChart(u.minutes_by_local_hour, `minutes by local hour of user ${u.user_id}`)}
</section>`;
}

export const REPORT_COUNTRIES = 30;

function countryTable(countries: Record<string, ScopeSummary>): string {
  const all = Object.entries(countries);
  const more =
    all.length > REPORT_COUNTRIES ? `<p>${all.length - REPORT_COUNTRIES} more countries in summary.json and the Parquet files.</p>` : '';
  const rows = all
    .sort(([ca, a], [cb, b]) => b.minutes - a.minutes || (ca < cb ? -1 : 1))
    .slice(0, REPORT_COUNTRIES)
    .map(
      ([c, s]) =>
        `<tr data-country="${esc(c)}"><td>${esc(c)}</td><td class="num">${s.users}</td><td class="num">${formatMinutes(s.minutes)}</td>` +
        `<td>${esc(s.top_songs[0] ? `${s.top_songs[0].song} — ${s.top_songs[0].artist}` : '')}</td><td>${esc(s.top_artists[0]?.name ?? '')}</td><td>${esc(s.top_genres[0]?.name ?? '')}</td></tr>`,
    )
    .join('\n');
  return `<table id="countries"><thead><tr><th>country</th><th>listeners</th><th>minutes</th><th>top song</th><th>top artist</th><th>top genre</th></tr></thead><tbody>${rows}</tbody></table>${more}`;
}

const CSS = `body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;background:#121212;color:#eee}
main{max-width:980px;margin:0 auto;padding:24px}
h1{font-size:28px;margin:0 0 4px}
h2{margin:0 0 12px}
h3{margin:18px 0 6px;color:#1ed760}
.card{background:linear-gradient(135deg,#1db954 0%,#191414 70%);border-radius:16px;padding:24px;margin:20px 0}
.figures{display:flex;flex-wrap:wrap;gap:18px}
.figures>div{background:rgba(0,0,0,.35);border-radius:10px;padding:10px 14px}
.big{display:block;font-size:26px;font-weight:700}
.tops{display:grid;grid-template-columns:repeat(3,1fr);gap:16px}
.chart{width:100%;height:auto;background:rgba(255,255,255,.04);border-radius:8px}
.bar{fill:#1ed760}.axis{stroke:#888}.tick,.label,.value{fill:#ddd;font-size:12px}
.axis-row{display:flex;align-items:center;gap:8px;margin:4px 0}
.pole{width:110px;font-size:13px}.axis-row .pole:first-child{text-align:right}
.axis-bar{width:200px;height:14px}.track{fill:#444}.mid{stroke:#999}.dot{fill:#1ed760}
.score{font-variant-numeric:tabular-nums;width:50px}
table{border-collapse:collapse;width:100%;font-size:13px}
td,th{border-bottom:1px solid #333;padding:4px 6px;text-align:left}.num{text-align:right}
.run-figures span{font-weight:700}
.heat{fill:#1ed760}.heatmaps{display:grid;grid-template-columns:1fr 1fr;gap:16px}.heatmap{margin:0}
figcaption{font-size:12px;color:#bbb}`;

/** The report: one user's Wrapped card and the run's figures as charts. */
function timelineSection(userId: number, points: TimelinePoint[]): string {
  const axes = (p: TimelinePoint) =>
    p.inferred
      ? (['FE', 'TN', 'LV', 'CU'] as const).map((a) => `<td>${p.inferred!.axes[a].toFixed(2)}</td>`).join('')
      : '<td colspan="4">-</td>';
  const rows = points
    .map(
      (p) =>
        `<tr data-day="${esc(p.day)}"><td>${esc(p.day)}</td><td>${p.top_songs
          .slice(0, 3)
          .map((s) => `${esc(s.song)} — ${esc(s.artist)} (${s.plays})`)
          .join('<br>')}</td>${axes(p)}<td>${esc(p.inferred?.personality ?? '-')}</td></tr>`,
    )
    .join('\n');
  return `<section id="timeline"><h2>How user ${userId}'s Wrapped moved</h2>
<p>At the end of each month so far: top songs (plays) and the personality axis scores read from behaviour (&gt; 0: Familiarity, Newness, Loyalty, Commonality).</p>
<table><thead><tr><th>through</th><th>top songs</th><th>FE</th><th>TN</th><th>LV</th><th>CU</th><th>personality</th></tr></thead><tbody>
${rows}
</tbody></table></section>`;
}

export function renderWrappedReport(summary: WrappedSummary, user: UserWrapped, timeline?: TimelinePoint[]): string {
  const g = summary.global;
  const inference = summary.personality_inference
    ? `<p>Personality inferred from behaviour matches the assigned one for <span data-field="inference-matches">${summary.personality_inference.matches}</span> of ${summary.personality_inference.users} users.</p>`
    : '';
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>Wrapped — ${esc(summary.runId)}</title><style>${CSS}</style></head>
<body><main>
<h1>Wrapped of run ${esc(summary.runId)}</h1>
<p class="run-figures"><span data-field="run-users">${g.users}</span> listeners, <span data-field="run-records">${g.records}</span> streams,
<span data-field="run-minutes">${formatMinutes(g.minutes)}</span> minutes, <span data-field="run-skip-rate">${formatPercent(g.skip_rate)}</span> skipped, ${Object.keys(summary.countries).length} countries.</p>
${inference}
${userCard(user)}
${timeline?.length ? `${timelineSection(user.user_id, timeline)}\n` : ''}<section id="global">
<h2>The whole run</h2>
<h3>Minutes by local hour</h3>${hourChart(g.minutes_by_local_hour, 'minutes by local hour, whole run')}
<h3>Streams by local weekday and hour, beside the published pattern</h3>
<div class="heatmaps">${weekdayHourHeatmap(g.streams_by_local_weekday_hour, 'this run: streams started', 'run-weekday-hour', 'streams')}
${weekdayHourHeatmap(PARK_2019_HOUR_DOW, 'published: Park et al. (2019), Nature Human Behaviour 3, 230-236 (scaled activity)', 'park-weekday-hour', 'scaled')}</div>
<h3>Top songs</h3>${rankChart(songItems(g.top_songs), 'top songs', 'run-top-songs')}
<h3>Top artists</h3>${rankChart(nameItems(g.top_artists), 'top artists', 'run-top-artists')}
<h3>Top genres</h3>${rankChart(nameItems(g.top_genres), 'top genres', 'run-top-genres')}
<h3>Per country (where the streams were played)</h3>${countryTable(summary.countries)}
</section>
<footer><p>Top lists rank by plays (streams not skipped), then minutes; charts show minutes. Local hour: the clock where each stream started.</p></footer>
</main></body></html>
`;
}
