import { sql, type Kysely } from 'kysely';
import type { App } from '../../app';
import { toDate } from '../../common/scalars';
import type { DB } from '../../db/tables';
import { toVectorLiteral, type Embedder } from './embedding';

const BATCH = 256;
const RETRY_MS = 5000;
const GIVE_WAY_MS = 1000;

/**
 * Gives stored events their embeddings, in batches, after they are stored: ingest never waits for
 * it. Rows are read without locks and written only while still unembedded, so two instances
 * embedding at once waste a little work but never conflict.
 */
export class HaEmbeddingWorker {
  #running: Promise<void> | undefined;
  #again = false;
  #stopped = false;
  #retry: NodeJS.Timeout | undefined;

  constructor(
    private readonly app: App,
    private readonly embedder: Embedder,
    /** Whether ingest has events waiting: embedding gives way to it (for a while). */
    private readonly ingestBusy: () => boolean = () => false,
  ) {}

  /** Starts a run unless one is going (which then runs once more). */
  poke(): void {
    if (this.#stopped) return;
    if (this.#running) {
      this.#again = true;
      return;
    }
    this.#running = this.embedAll()
      .then(() => undefined)
      .catch((error: unknown) => {
        this.app.logger.warn({ err: error }, 'embedding Home Assistant events failed; retrying later');
        clearTimeout(this.#retry);
        this.#retry = setTimeout(() => this.poke(), RETRY_MS);
      })
      .finally(() => {
        this.#running = undefined;
        if (this.#again) {
          this.#again = false;
          this.poke();
        }
      });
  }

  /** Embeds everything not embedded yet, after any run in progress; returns how many it embedded. */
  async run(): Promise<number> {
    await this.idle();
    return this.embedAll();
  }

  private async embedAll(): Promise<number> {
    let total = 0;
    for (;;) {
      if (this.#stopped) return total;
      await this.giveWayToIngest();
      const done = await this.embedBatch(this.app.orm.em.getKysely<DB>());
      total += done;
      if (done < BATCH) return total;
    }
  }

  /** Waits for the current run (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.#running) await this.#running;
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#retry);
    await this.#running;
  }

  /** Storing events comes first: wait until ingest is idle, but no longer than `GIVE_WAY_MS`. */
  private async giveWayToIngest(): Promise<void> {
    const until = Date.now() + GIVE_WAY_MS;
    while (this.ingestBusy() && Date.now() < until && !this.#stopped) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  private async embedBatch(db: Kysely<DB>): Promise<number> {
    const rows = await db
      .selectFrom('ha_events')
      .select(['id', 'event_type', 'entity_id', 'old_state', 'new_state', 'attributes', 'timestamp'])
      .where('embedding_vector', 'is', null)
      .orderBy('id')
      .limit(BATCH)
      .execute();
    if (rows.length === 0) return 0;
    const vectors = await this.embedder.embed(
      rows.map((r) => ({
        eventType: r.event_type,
        entityId: r.entity_id,
        oldState: r.old_state,
        newState: r.new_state,
        attributes: r.attributes,
        timestamp: toDate(r.timestamp),
      })),
    );
    await sql`
      update ha_events e set embedding_vector = x.v::vector
        from unnest(${rows.map((r) => r.id)}::uuid[], ${vectors.map(toVectorLiteral)}::text[]) as x(id, v)
       where e.id = x.id and e.embedding_vector is null`.execute(db);
    return rows.length;
  }
}
