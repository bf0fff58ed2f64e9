import { createDatabase, migrate } from './database';
import {
  formatHaIngestReport,
  HA_INGEST_BENCH,
  haIngestExactlyOnce,
  haIngestSettings,
  runHaIngestBench,
} from './ha-ingest';
import { formatHaSimilarReport, HA_SIMILAR_BENCH, haSimilarSettings, runHaSimilarBench } from './ha-similar';
import { CONNECTIONS, runScenario, WARMUP_SECONDS, type LoadOptions } from './http-scenario';
import { scenarios } from './scenarios';
import { MEMBERS, seedWorkspace } from './seed';
import { startApi } from './servers';
import { formatTable, type Row } from './table';
import { runTaskBench, TASK_BENCH, taskBenchSettings } from './tasks-10k';
import { formatTaskReport, ranExactlyOnce } from './tasks-report';
import { runTriggerBench, TRIGGER_BENCH, triggerSettings } from './triggers-100k';
import { firedExactlyOnce, formatTriggerReport, type TriggerResult } from './triggers-report';
import { cleanup, cleanupOnSignals, errorText, intEnv } from './util';

/**
 * `npm run bench`: a fresh database, migrated and seeded with one workspace of 50 members; the API
 * in a child process; each scenario of bench/scenarios.ts under autocannon; list scenarios also
 * against their floor; then `triggers-100k` (bench/triggers-100k.ts), `tasks-10k` (bench/tasks-10k.ts),
 * `ha-ingest` (bench/ha-ingest.ts) and `ha-similar` (bench/ha-similar.ts). Prints one table per part.
 * Env: BENCH_SECONDS (10), BENCH_ROUNDS (2), BENCH_ADMIN_URL
 * (postgres://postgres@127.0.0.1:5432/postgres), BENCH_SERVER_CPUS (a `taskset -c` list for the
 * server children, default unpinned), BENCH_ONLY (comma-separated names of scenarios and/or
 * `triggers-100k`, `tasks-10k`, `ha-ingest`, `ha-similar`), BENCH_API_NODE_ARGS (extra node flags for the API children, e.g.
 * `--cpu-prof --cpu-prof-dir=/tmp/prof`), BENCH_VERBOSE=1 (echo the children's output), BENCH_KEEP_DB=1
 * (keep the database afterwards), and the trigger and Home Assistant benchmarks' own (see their files).
 */

const BAR = 0.5;

interface Selection {
  http: typeof scenarios;
  triggers: boolean;
  tasks: boolean;
  haIngest: boolean;
  haSimilar: boolean;
}

function select(): Selection {
  const names = new Set<string>([TRIGGER_BENCH, TASK_BENCH, HA_INGEST_BENCH, HA_SIMILAR_BENCH]);
  for (const s of scenarios) {
    if (names.has(s.name)) throw new Error(`two scenarios are named "${s.name}"`);
    names.add(s.name);
    if (s.list && !s.floorSql) throw new Error(`list scenario "${s.name}" needs a floorSql`);
  }
  const only = (process.env.BENCH_ONLY ?? '')
    .split(',')
    .map((n) => n.trim())
    .filter(Boolean);
  const unknown = only.filter((n) => !names.has(n));
  if (unknown.length) {
    throw new Error(`BENCH_ONLY names unknown scenario(s): ${unknown.join(', ')} (known: ${[...names].join(', ')})`);
  }
  const chosen = (name: string) => only.length === 0 || only.includes(name);
  return {
    http: scenarios.filter((s) => chosen(s.name)),
    triggers: chosen(TRIGGER_BENCH),
    tasks: chosen(TASK_BENCH),
    haIngest: chosen(HA_INGEST_BENCH),
    haSimilar: chosen(HA_SIMILAR_BENCH),
  };
}

function printHttpTable(rows: Row[], options: LoadOptions): void {
  const peak = rows.every((r) => r.peakIsPerScenario) ? 'during the scenario' : 'since it started';
  process.stdout.write(
    [
      '',
      `HomeOS API benchmark: ${CONNECTIONS} connections, ${options.seconds} s per run after a ${WARMUP_SECONDS} s warm-up, ` +
        `${MEMBERS} members in the workspace`,
      '',
      formatTable(rows, BAR),
      '',
      'floor: a bare node:http server in its own process (pg pool of 10) answering every POST with the JSON built',
      '       by ONE hand-written SQL statement: about the least any server can spend on the same response.',
      `       List scenarios alternate floor/api, ${options.rounds} round(s) of ${options.seconds} s each; req/s is the mean`,
      `       of the rounds; ratio = api/floor req/s; the bar is ratio >= ${BAR.toFixed(2)}.`,
      'other columns: p50/p99 = mean over the measured api runs; SQL/req = delta of homeos_db_queries_total per',
      `       GraphQL operation (homeos_graphql_requests_total); peak RSS = VmHWM of the api process ${peak}.`,
      '       The api runs with TRIGGER_ENGINE=false and HA_ENGINE=false here, so no time-trigger polling or',
      '       Home Assistant supervision is counted in SQL/req.',
      '',
    ].join('\n'),
  );
  for (const r of rows.filter((row) => row.floorReqPerSec !== undefined)) {
    process.stdout.write(
      `  ${r.scenario}: floor rounds ${r.floorRounds.map((v) => v.toFixed(0)).join(', ')} req/s; ` +
        `api rounds ${r.apiRounds.map((v) => v.toFixed(0)).join(', ')} req/s\n`,
    );
  }
}

async function main(): Promise<void> {
  const options: LoadOptions = {
    seconds: intEnv('BENCH_SECONDS', 10, 1, 600),
    rounds: intEnv('BENCH_ROUNDS', 2, 1, 10),
    cpus: process.env.BENCH_SERVER_CPUS || undefined,
    echo: process.env.BENCH_VERBOSE === '1',
    databaseUrl: '',
  };
  const adminUrl = process.env.BENCH_ADMIN_URL || 'postgres://postgres@127.0.0.1:5432/postgres';
  const selected = select();
  // Read before anything starts, so a bad value fails at once.
  const settings = selected.triggers ? triggerSettings() : undefined;
  const taskSettings = selected.tasks ? taskBenchSettings() : undefined;
  const ingestSettings = selected.haIngest ? haIngestSettings() : undefined;
  const similarSettings = selected.haSimilar ? haSimilarSettings() : undefined;
  const nodeArgs = (process.env.BENCH_API_NODE_ARGS ?? '').split(/\s+/).filter(Boolean);

  options.databaseUrl = await createDatabase(adminUrl);
  await migrate(options.databaseUrl);
  // The HTTP scenarios' API; it also seeds (sign-up goes through the API).
  const api = await startApi({ ...options, nodeArgs, env: { TRIGGER_ENGINE: 'false', HA_ENGINE: 'false' } });
  const graphqlUrl = `${api.base}/graphql`;
  const seed = await seedWorkspace(graphqlUrl, options.databaseUrl);

  const rows: Row[] = [];
  for (const scenario of selected.http) {
    await scenario.prepare?.({ graphqlUrl, databaseUrl: options.databaseUrl, token: seed.token, seed });
    rows.push(await runScenario(scenario, api, seed, options));
  }
  await api.child.stop();
  if (rows.length > 0) printHttpTable(rows, options);

  let triggers: TriggerResult | undefined;
  if (settings) {
    triggers = await runTriggerBench(seed, options, nodeArgs, settings);
    process.stdout.write(`\nTrigger engine benchmark\n\n${formatTriggerReport(TRIGGER_BENCH, triggers)}\n`);
  }
  // A goal missed is reported in the table; a trigger fired twice or never fails the run.
  if (triggers && !firedExactlyOnce(triggers)) process.exitCode = 1;

  if (taskSettings) {
    const tasks = await runTaskBench(seed, options, nodeArgs, taskSettings);
    process.stdout.write(`\nTask runtime benchmark\n\n${formatTaskReport(TASK_BENCH, tasks)}\n`);
    // A task run twice, or not at all, fails the run.
    if (!ranExactlyOnce(tasks)) process.exitCode = 1;
  }

  if (ingestSettings) {
    const ingest = await runHaIngestBench(seed, options, nodeArgs, ingestSettings);
    process.stdout.write(`\nHome Assistant ingest benchmark\n\n${formatHaIngestReport(ingest)}\n`);
    // An event stored or delivered twice, or never, fails the run.
    if (!haIngestExactlyOnce(ingest)) process.exitCode = 1;
  }
  if (similarSettings) {
    const similar = await runHaSimilarBench(seed, options, nodeArgs, similarSettings);
    process.stdout.write(`\nHome Assistant similarity search benchmark\n\n${formatHaSimilarReport(similar)}\n`);
  }
}

cleanupOnSignals();
main()
  .then(
    () => 0,
    (error: unknown) => {
      const verbose = process.env.BENCH_VERBOSE === '1';
      const text = error instanceof Error ? ((verbose ? error.stack : undefined) ?? error.message) : errorText(error);
      process.stderr.write(`\nbench failed: ${text}\n`);
      return 1;
    },
  )
  .then(async (code) => {
    await cleanup();
    process.exit(code || (process.exitCode === undefined ? 0 : Number(process.exitCode)));
  });
