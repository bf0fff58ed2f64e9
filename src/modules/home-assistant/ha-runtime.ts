import type { App } from '../../app';
import { createEmbedder } from './embedding';
import { HaEmbeddingWorker } from './ha-embedding-worker';
import { HaIngest, type StoredHaEvent } from './ha-ingest';
import { HaRetention } from './ha-retention';
import { HaSupervisor } from './ha-supervisor';

/** What listens to stored events besides subscribers (the HA_STATE triggers). */
export type StoredEventsListener = (events: StoredHaEvent[]) => Promise<void>;

/** The long-lived parts of the Home Assistant module: ingest, holder, embeddings, retention. */
export class HaRuntime {
  readonly ingest: HaIngest;
  readonly supervisor: HaSupervisor;
  readonly embeddings: HaEmbeddingWorker;
  readonly retention: HaRetention;
  readonly #listeners: StoredEventsListener[] = [];

  constructor(private readonly app: App) {
    const settings = app.config.homeAssistant;
    const { url, model, apiKey } = app.config.embeddings;
    const embedder = createEmbedder({ model, ...(url ? { url } : {}), ...(apiKey ? { apiKey } : {}) });
    this.embeddings = new HaEmbeddingWorker(app, embedder, () => this.ingest.busy);
    this.ingest = new HaIngest(app, {
      flushMs: settings.flushMs,
      batchSize: settings.batchSize,
      onStored: (events) => this.stored(events),
    });
    this.supervisor = new HaSupervisor(app, this.ingest, settings);
    this.retention = new HaRetention(app);
  }

  onStored(listener: StoredEventsListener): void {
    this.#listeners.push(listener);
  }

  start(): void {
    const settings = this.app.config.homeAssistant;
    if (settings.engine) this.supervisor.start();
    this.retention.start(settings.retentionMs);
    this.embeddings.poke();
  }

  async stop(): Promise<void> {
    this.retention.stop();
    await this.supervisor.stop();
    await this.ingest.stop();
    await this.embeddings.stop();
  }

  private async stored(events: StoredHaEvent[]): Promise<void> {
    for (const listener of this.#listeners) {
      try {
        await listener(events);
      } catch (error) {
        this.app.logger.error({ err: error }, 'a listener of stored Home Assistant events failed');
      }
    }
    this.embeddings.poke();
  }
}
