import { isDeepStrictEqual } from 'node:util';
import { firstDifference, isObject, jsonHeaders, postJson, requestBody } from './graphql';
import { runLoad, type LoadResult, type LoadTarget } from './load';
import { peakRssMb, resetPeakRss } from './processes';
import type { Scenario } from './scenarios';
import type { Seed } from './seed';
import { serverCounters, startFloor, type Server, type ServerOptions } from './servers';
import type { Row } from './table';
import { log, mean, sleep } from './util';

/**
 * One HTTP scenario under autocannon; a list scenario also against its floor, after checking that
 * the floor returns exactly the API's `data`.
 */

export const CONNECTIONS = 16;
export const WARMUP_SECONDS = 2;

export interface LoadOptions extends ServerOptions {
  seconds: number;
  rounds: number;
}

/** Starts the scenario's floor and fails unless it answers with the API's `data`. */
async function startCheckedFloor(
  scenario: Scenario,
  seed: Seed,
  target: LoadTarget,
  apiData: unknown,
  options: LoadOptions,
): Promise<{ floor: Server; floorTarget: LoadTarget }> {
  const floor = await startFloor(scenario, seed, options);
  const floorTarget = { ...target, url: `${floor.base}/graphql` };
  const fromFloor = await postJson(floorTarget.url, floorTarget.body, floorTarget.headers);
  if (!isDeepStrictEqual(fromFloor.data, apiData)) {
    await floor.child.stop();
    throw new Error(
      `the floor of "${scenario.name}" does not return what the API returns: ` +
        `${firstDifference(apiData, fromFloor.data, 'data')}`,
    );
  }
  return { floor, floorTarget };
}

export async function runScenario(scenario: Scenario, api: Server, seed: Seed, options: LoadOptions): Promise<Row> {
  const target: LoadTarget = {
    url: `${api.base}/graphql`,
    body: requestBody(scenario.query, scenario.variables),
    headers: jsonHeaders(seed.token),
  };
  const check = await postJson(target.url, target.body, target.headers);
  if (check.errors !== undefined || !isObject(check.data)) {
    throw new Error(`scenario "${scenario.name}" does not answer with data: ${JSON.stringify(check).slice(0, 1000)}`);
  }

  let floor: Server | undefined;
  let floorTarget: LoadTarget | undefined;
  if (scenario.list) ({ floor, floorTarget } = await startCheckedFloor(scenario, seed, target, check.data, options));

  log(`${scenario.name}: warm-up ${WARMUP_SECONDS} s`);
  await runLoad(target, WARMUP_SECONDS, CONNECTIONS);
  if (floorTarget) await runLoad(floorTarget, WARMUP_SECONDS, CONNECTIONS);

  const peakIsPerScenario = resetPeakRss(api.child.pid);
  const apiRuns: LoadResult[] = [];
  const floorRuns: LoadResult[] = [];
  // Statements per request: divided by the operations the server counted in the same window when
  // it counts them (requests still in flight at the end are then in both), else by autocannon's.
  let statements = 0;
  let operations = 0;
  let served = 0;
  const rounds = floorTarget ? options.rounds : 1;
  for (let round = 1; round <= rounds; round++) {
    if (floorTarget) {
      log(`${scenario.name}: round ${round}/${rounds} floor, ${options.seconds} s`);
      floorRuns.push(await runLoad(floorTarget, options.seconds, CONNECTIONS));
    }
    log(`${scenario.name}: round ${round}/${rounds} api, ${options.seconds} s`);
    const before = await serverCounters(api);
    const run = await runLoad(target, options.seconds, CONNECTIONS);
    // Let the requests still in flight when autocannon stopped finish (the server counts them).
    await sleep(300);
    const after = await serverCounters(api);
    statements += after.statements - before.statements;
    operations += after.operations - before.operations;
    served += run.requests;
    apiRuns.push(run);
  }
  const peakRss = peakRssMb(api.child.pid);
  if (floor) await floor.child.stop();

  const requests = operations > 0 ? operations : served;
  return {
    scenario: scenario.name,
    reqPerSec: mean(apiRuns.map((r) => r.reqPerSec)),
    p50Ms: mean(apiRuns.map((r) => r.p50Ms)),
    p99Ms: mean(apiRuns.map((r) => r.p99Ms)),
    sqlPerRequest: requests > 0 ? statements / requests : Number.NaN,
    peakRssMb: peakRss,
    peakIsPerScenario,
    floorReqPerSec: floorRuns.length ? mean(floorRuns.map((r) => r.reqPerSec)) : undefined,
    floorRounds: floorRuns.map((r) => r.reqPerSec),
    apiRounds: apiRuns.map((r) => r.reqPerSec),
  };
}
