/** One scenario's measurements. */
export interface Row {
  scenario: string;
  reqPerSec: number;
  p50Ms: number;
  p99Ms: number;
  sqlPerRequest: number;
  peakRssMb: number;
  /** Whether the peak RSS was reset before the scenario (else it is the peak since start). */
  peakIsPerScenario: boolean;
  /** Mean floor req/s; only for list scenarios. */
  floorReqPerSec: number | undefined;
  floorRounds: number[];
  apiRounds: number[];
}

const HEADER = ['scenario', 'req/s', 'p50 ms', 'p99 ms', 'SQL/req', 'peak RSS MB', 'floor req/s', 'ratio', 'bar'];
/** Text columns are left-aligned, numbers right-aligned. */
const LEFT = new Set([0, 8]);

function cells(row: Row, bar: number): string[] {
  const ratio = row.floorReqPerSec ? row.reqPerSec / row.floorReqPerSec : undefined;
  return [
    row.scenario,
    row.reqPerSec.toFixed(0),
    row.p50Ms.toFixed(1),
    row.p99Ms.toFixed(1),
    Number.isFinite(row.sqlPerRequest) ? row.sqlPerRequest.toFixed(2) : '?',
    row.peakRssMb.toFixed(0),
    row.floorReqPerSec === undefined ? '-' : row.floorReqPerSec.toFixed(0),
    ratio === undefined ? '-' : ratio.toFixed(2),
    ratio === undefined ? '-' : ratio >= bar ? `>= ${bar.toFixed(2)} ok` : `< ${bar.toFixed(2)} BELOW`,
  ];
}

/** A plain-text table, columns separated by ` | ` and aligned. */
export function formatTable(rows: Row[], bar: number): string {
  return formatGrid(
    HEADER,
    rows.map((r) => cells(r, bar)),
    LEFT,
  );
}

/** Any plain-text table: columns separated by ` | `, `left` columns left-aligned, the others right. */
export function formatGrid(header: string[], rows: string[][], left: ReadonlySet<number>): string {
  const table = [header, ...rows];
  const widths = header.map((_, i) => Math.max(...table.map((line) => (line[i] ?? '').length)));
  const render = (line: string[]) =>
    line
      .map((cell, i) => (left.has(i) ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0)))
      .join(' | ')
      .trimEnd();
  const rule = widths.map((w) => '-'.repeat(w)).join('-|-');
  return [render(header), rule, ...rows.map(render)].join('\n');
}
