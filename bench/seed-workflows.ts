import { withClient } from './database';
import type { BenchContext } from './scenarios';
import { log } from './util';

/** workflows-nested: 50 workflows × 20 steps, each step with its own screenshot, and some runs. */

export const WORKFLOWS = 50;
export const STEPS_PER_WORKFLOW = 20;
/** Workflow n has n % 15 runs: some none, some more than the 10 the query asks for. */
const RUNS_MODULO = 15;

/**
 * Inserts the rows directly (a few statements, well under a second): what the API would have
 * written for recorded workflows, their uploaded screenshots and their runs.
 */
export async function seedWorkflows(bench: BenchContext): Promise<void> {
  const started = Date.now();
  const { workspaceId, adminUserId } = bench.seed;
  await withClient(bench.databaseUrl, async (client) => {
    await client.query('begin');
    try {
      await client.query(
        `insert into workflows (id, workspace_id, created_by_id, name, description, starting_url, tags, status,
                                success_rate, run_count, success_count, failure_count, healed_count,
                                consecutive_failures, created_at, updated_at)
         select gen_random_uuid(), $1, $2, 'Bench workflow ' || g, 'Recorded for the benchmark',
                'https://app.example.com/start', '["bench"]'::jsonb,
                (array['ACTIVE', 'NEEDS_REVIEW', 'BROKEN', 'DRAFT'])[1 + g % 4]::workflow_status,
                0, 0, 0, 0, 0, 0, t + g * interval '1 second' + g * interval '7 milliseconds', t
           from generate_series(1, $3::int) g, (select date_trunc('milliseconds', now()) t) base`,
        [workspaceId, adminUserId, WORKFLOWS],
      );
      await client.query(
        `insert into screenshots (id, workspace_id, workflow_id, sha256, storage_key, storage_url, file_size,
                                  width, height, format, created_at, updated_at)
         select gen_random_uuid(), $1, w.id, encode(sha256(convert_to(w.id::text || ':' || g, 'UTF8')), 'hex'),
                w.workspace_id::text || '/bench/' || w.id || '-' || g || '.png', null, 48000 + g, 1280, 800, 'png', now(), now()
           from workflows w, generate_series(1, $2::int) g
          where w.workspace_id = $1`,
        [workspaceId, STEPS_PER_WORKFLOW],
      );
      await client.query(
        `insert into steps (id, workspace_id, workflow_id, screenshot_id, step_number, action, selectors,
                            element_meta, page_context, created_at, updated_at)
         select gen_random_uuid(), $1, s.workflow_id, s.id, s.n,
                (array['CLICK', 'INPUT_COMMIT', 'SELECT_CHANGE', 'SUBMIT', 'NAVIGATE'])[1 + s.n % 5]::step_action,
                jsonb_build_object('css', '#field-' || s.n, 'xpath', '//form/div[' || s.n || ']'),
                '{"tag": "input", "role": "textbox"}'::jsonb, '{"url": "https://app.example.com/form"}'::jsonb,
                now(), now()
           from (select id, workflow_id, row_number() over (partition by workflow_id order by sha256)::int n
                   from screenshots where workspace_id = $1) s`,
        [workspaceId],
      );
      await client.query(
        `insert into health_logs (id, workspace_id, workflow_id, step_id, user_id, status, error_message,
                                  duration_ms, created_at)
         select gen_random_uuid(), $1, w.id, null, $2,
                (case when g % 4 = 0 then 'FAILURE' when g % 7 = 0 then 'HEALED' else 'SUCCESS' end)::run_status,
                case when g % 4 = 0 then 'element not found' end, 1000 + g,
                w.created_at + (g * 60 + w.n) * interval '1 second'
           from (select id, created_at, row_number() over (order by created_at)::int n
                   from workflows where workspace_id = $1) w,
                generate_series(1, w.n % $3::int) g`,
        [workspaceId, adminUserId, RUNS_MODULO],
      );
      await client.query('commit');
    } catch (error) {
      await client.query('rollback');
      throw error;
    }
    await client.query('analyze');
    const { rows } = await client.query<{ workflows: number; steps: number; screenshots: number; runs: number }>(
      `select (select count(*)::int from workflows where workspace_id = $1) workflows,
              (select count(*)::int from steps where workspace_id = $1) steps,
              (select count(*)::int from screenshots where workspace_id = $1) screenshots,
              (select count(*)::int from health_logs where workspace_id = $1) runs`,
      [workspaceId],
    );
    const counts = rows[0];
    if (!counts || counts.workflows !== WORKFLOWS || counts.steps !== WORKFLOWS * STEPS_PER_WORKFLOW) {
      throw new Error(`workflows seed: found ${JSON.stringify(counts)}`);
    }
    log(
      `seeded ${counts.workflows} workflows, ${counts.steps} steps, ${counts.screenshots} screenshots, ` +
        `${counts.runs} runs in ${((Date.now() - started) / 1000).toFixed(1)} s`,
    );
  });
}
