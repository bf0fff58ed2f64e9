import type { App } from '../../app';
import { loadOrCreateSecret } from '../../db/secrets';
import { FitbitSync } from './fitbit-sync';
import { GithubWebhooks } from './github-webhooks';
import { IntegrationTokens } from './integration-tokens';
import { createProviders, type OAuthProviders } from './oauth-providers';
import { OAuthStates } from './oauth-state';

/** The long-lived parts of the quest module: OAuth providers and states, tokens, webhooks, the Fitbit sync. */
export class QuestRuntime {
  readonly providers: OAuthProviders;
  readonly states: OAuthStates;
  readonly tokens: IntegrationTokens;
  readonly webhooks: GithubWebhooks;
  readonly sync: FitbitSync;

  constructor(private readonly app: App) {
    const { config } = app;
    this.providers = createProviders(config.quest);
    this.states = new OAuthStates(config.jwtSecret ?? loadOrCreateSecret(config.dataDir, 'jwt-secret'), () =>
      app.clock(),
    );
    this.tokens = new IntegrationTokens(app, this.providers);
    this.webhooks = new GithubWebhooks(app);
    this.sync = new FitbitSync(app, this.tokens);
  }

  start(): void {
    if (this.app.config.quest.sync) this.sync.start();
  }

  async stop(): Promise<void> {
    await this.sync.stop();
  }
}
