/**
 * An SVG bar chart of the fan-out figures (Gavel vs Socket.IO, p50 and p99 per N), drawn from the
 * results JSON — plain SVG text, no charting library. run.ts writes it to docs/benchmark.svg;
 * `node dist/bench/chart.js` redraws it from bench/results/latest.json.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BenchResults } from './results-schema.js';
import { formatNumber } from './table.js';

interface Series {
  label: string;
  color: string;
  value: (run: BenchResults['runs'][number]) => number | undefined;
}

const SERIES: Series[] = [
  { label: 'Gavel p50', color: '#2563eb', value: (run) => run.bid?.p50Ms },
  { label: 'Gavel p99', color: '#93c5fd', value: (run) => run.bid?.p99Ms },
  { label: 'Socket.IO io.emit p50', color: '#ea580c', value: (run) => run.socketIo?.p50Ms },
  { label: 'Socket.IO p99', color: '#fdba74', value: (run) => run.socketIo?.p99Ms },
];

function escapeXml(text: string): string {
  return text.replace(/[<>&"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;' })[c]!);
}

/** A "nice" axis maximum: 1, 2 or 5 × 10^k, at least `value`. */
export function niceCeiling(value: number): number {
  if (!(value > 0)) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 5, 10]) if (step * power >= value) return step * power;
  return 10 * power;
}

export function renderChart(results: BenchResults): string {
  const width = 760;
  const height = 380;
  const margin = { top: 56, right: 24, bottom: 64, left: 64 };
  const plotWidth = width - margin.left - margin.right;
  const plotHeight = height - margin.top - margin.bottom;
  const runs = results.runs;
  const maxValue = niceCeiling(Math.max(1, ...runs.flatMap((run) => SERIES.map((series) => series.value(run) ?? 0))));
  const y = (value: number): number => margin.top + plotHeight - (value / maxValue) * plotHeight;
  const groupWidth = plotWidth / Math.max(1, runs.length);
  const barWidth = Math.min(44, (groupWidth * 0.8) / SERIES.length);

  const parts: string[] = [];
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui, sans-serif" font-size="12">`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    `<text x="${margin.left}" y="24" font-size="15" font-weight="600">One bid → the last of N connections has it, ms (lower is better)</text>`,
    `<text x="${margin.left}" y="42" fill="#555">${escapeXml(`${results.database === 'mysql' ? 'MySQL' : 'SQLite'}, ${results.machine.cpus} CPUs, Node ${results.machine.node}, ${results.finishedAt.slice(0, 10)}`)}</text>`,
  );
  for (let i = 0; i <= 5; i++) {
    const value = (maxValue * i) / 5;
    const yy = y(value);
    parts.push(
      `<line x1="${margin.left}" x2="${width - margin.right}" y1="${yy}" y2="${yy}" stroke="#e5e7eb"/>`,
      `<text x="${margin.left - 8}" y="${yy + 4}" text-anchor="end" fill="#555">${maxValue >= 10 ? Math.round(value).toLocaleString('en-US') : formatNumber(value)}</text>`,
    );
  }
  runs.forEach((run, index) => {
    const groupX = margin.left + index * groupWidth + (groupWidth - barWidth * SERIES.length) / 2;
    SERIES.forEach((series, s) => {
      const value = series.value(run);
      if (value === undefined || Number.isNaN(value)) return;
      const x = groupX + s * barWidth;
      parts.push(
        `<rect x="${x + 2}" y="${y(value)}" width="${barWidth - 4}" height="${margin.top + plotHeight - y(value)}" fill="${series.color}"><title>${escapeXml(`${series.label}: ${formatNumber(value)} ms`)}</title></rect>`,
        `<text x="${x + barWidth / 2}" y="${y(value) - 4}" text-anchor="middle" font-size="10">${formatNumber(value)}</text>`,
      );
    });
    const label = `N = ${run.n.toLocaleString('en-US')}${run.ratio === undefined ? '' : ` (${formatNumber(run.ratio)}×)`}`;
    parts.push(
      `<text x="${margin.left + index * groupWidth + groupWidth / 2}" y="${margin.top + plotHeight + 20}" text-anchor="middle">${escapeXml(label)}</text>`,
    );
  });
  let legendX = margin.left;
  for (const series of SERIES) {
    const yy = height - 18;
    parts.push(
      `<rect x="${legendX}" y="${yy - 10}" width="12" height="12" fill="${series.color}"/>`,
      `<text x="${legendX + 18}" y="${yy}">${escapeXml(series.label)}</text>`,
    );
    // About 6.5 px per character at 12 px: enough to keep the labels apart without measuring text.
    legendX += 18 + series.label.length * 6.5 + 18;
  }
  parts.push(
    `<line x1="${margin.left}" x2="${margin.left}" y1="${margin.top}" y2="${margin.top + plotHeight}" stroke="#9ca3af"/>`,
    '</svg>',
  );
  return `${parts.join('\n')}\n`;
}

export function writeChart(results: BenchResults, file: string): void {
  writeFileSync(file, renderChart(results));
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const root = fileURLToPath(new URL('../../', import.meta.url));
  const results = JSON.parse(readFileSync(resolve(root, 'bench/results/latest.json'), 'utf8')) as BenchResults;
  writeChart(results, resolve(root, 'docs/benchmark.svg'));
  console.log('docs/benchmark.svg written');
}
