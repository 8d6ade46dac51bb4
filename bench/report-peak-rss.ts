import * as fs from 'node:fs';

// Preloaded (node --require) into a child the bench measures: on exit, its peak RSS in KiB and its
// CPU seconds (process and threads), as JSON.
const file = process.env.BENCH_PEAK_RSS_FILE;
if (file)
  process.on('exit', () => {
    const { maxRSS, userCPUTime, systemCPUTime } = process.resourceUsage();
    fs.writeFileSync(file, JSON.stringify({ maxRSS, cpuSeconds: (userCPUTime + systemCPUTime) / 1e6 }));
  });
