// Preloaded (`node --import ./bench/rss-probe.mjs ...`) into a process the benchmark measures:
// writes the process's peak resident set size (kB) to $MLB_BENCH_RSS_FILE when it exits.
// Node has no getrusage(RUSAGE_CHILDREN), so the measured process reports on itself.
import { writeFileSync } from 'node:fs';

const file = process.env.MLB_BENCH_RSS_FILE;
if (file) {
  process.on('exit', () => {
    try {
      writeFileSync(file, String(process.resourceUsage().maxRSS));
    } catch {
      // The benchmark reports a missing figure; never break the measured run.
    }
  });
}
