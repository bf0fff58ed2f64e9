import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled } from '@apollo/server/plugin/disabled';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import {
  ApolloServerPluginLandingPageLocalDefault,
  ApolloServerPluginLandingPageProductionDefault,
} from '@apollo/server/plugin/landingPage/default';
import { expressMiddleware } from '@as-integrations/express5';
import express, { type Request } from 'express';
import { WebSocketServer } from 'ws';
import type { App } from './app';
import { formatError } from './common/errors';
import { jitGateway } from './common/jit-executor';
import { createLogger, type Logger } from './common/logger';
import { Metrics } from './common/metrics';
import { createAppPubSub } from './common/pubsub';
import { checkDocumentSize } from './common/query-limits';
import type { Config } from './config';
import { createContext, type Context, type RequestInfo } from './context';
import { openDatabase, type Database } from './db/database';
import { loadOrCreateSecret } from './db/secrets';
import { operationPlugin } from './graphql-plugins';
import { bearerToken, TokenService } from './modules/accounts/token.service';
import { Viewers } from './modules/accounts/viewers';
import { TimeTriggerScheduler } from './modules/triggers/time-scheduler';
import { haStateListener } from './modules/triggers/ha-state-triggers';
import { HaRuntime } from './modules/home-assistant/ha-runtime';
import { QuestRuntime } from './modules/quest/quest-runtime';
import { questRoutes } from './modules/quest/quest.routes';
import { parseKeySpecs, SecretBox } from './common/crypto';
import { TriggerEngine } from './modules/triggers/trigger-engine';
import { PushDelivery } from './modules/notifications/push-delivery';
import { PushMarker } from './modules/notifications/push-marker';
import { TaskRuntime } from './modules/assistant/task-runtime';
import { getSchema } from './schema';
import { CalendarFeedService } from './modules/calendar/calendar-feed.service';
import type { DB } from './db/tables';
import { LocalScreenshotStorage } from './modules/workflows/screenshot-storage';
import { ScreenshotFiles } from './modules/workflows/screenshot-files';
import { ScreenshotUrls } from './modules/workflows/screenshot-urls';
import { screenshotRoutes } from './modules/workflows/screenshots.http';
import { attachWebSocketGraphql } from './websocket';

export interface StartOptions {
  config: Config;
  logger?: Logger;
  /** Start the embedded database from a dump, in memory (tests). */
  embeddedDump?: Blob;
  /** Apply pending migrations on an external database too (tests). */
  migrate?: boolean;
  /** The clock (tests); the wall clock by default. */
  clock?: () => Date;
}

export interface RunningServer {
  app: App;
  db: Database;
  /** `http://host:port/graphql` */
  url: string;
  port: number;
  close(): Promise<void>;
}

/** HTTP, Apollo Server and graphql-ws on one port, with health and metrics endpoints. */
export async function startServer(options: StartOptions): Promise<RunningServer> {
  const { config } = options;
  const logger = options.logger ?? createLogger(config.logLevel);
  const metrics = new Metrics();
  const db = await openDatabase({
    config,
    logger,
    onPoolCreated: metrics.instrumentPool,
    ...(options.embeddedDump ? { embeddedDump: options.embeddedDump } : {}),
    ...(options.migrate ? { migrate: true } : {}),
  });
  const pubSubHandle = createAppPubSub(config.redisUrl);
  const jwtSecret = config.jwtSecret ?? loadOrCreateSecret(config.dataDir, 'jwt-secret');
  const tokens = new TokenService(jwtSecret, config.accessTokenTtlSeconds);
  const viewers = new Viewers(await db.pool(), tokens, pubSubHandle.pubSub, config.viewerCacheSeconds * 1000);
  viewers.listen();
  const app = { config, logger, orm: db.orm, pubSub: pubSubHandle.pubSub, metrics, tokens, viewers } as App;
  app.clock = options.clock ?? (() => new Date());
  app.triggerEngine = new TriggerEngine(app, config.triggers.graceMs);
  app.timeTriggers = new TimeTriggerScheduler(app, app.triggerEngine, config.triggers);
  app.secrets = new SecretBox(
    parseKeySpecs(config.encryptionKeys ?? `1:${loadOrCreateSecret(config.dataDir, 'encryption-key')}`),
  );
  app.homeAssistant = new HaRuntime(app);
  app.homeAssistant.onStored(haStateListener(app));
  app.quest = new QuestRuntime(app);
  app.push = new PushDelivery(app, config.push);
  // Every notification written through the ORM, by any module, is pushed to its recipients' topics.
  if (app.push.enabled) db.orm.em.getEventManager().registerSubscriber(new PushMarker(app.clock));
  app.tasks = new TaskRuntime(app);
  if (config.triggers.engine) app.timeTriggers.start();
  app.homeAssistant.start();
  app.screenshots = new ScreenshotFiles(
    new LocalScreenshotStorage(config.screenshots.dir),
    new ScreenshotUrls(jwtSecret, config.screenshots.urlTtlSeconds, app.clock),
    config.screenshots.maxBytes,
    logger,
  );
  app.quest.start();
  app.push.start();
  if (config.tasks.engine) app.tasks.start();
  const schema = getSchema();

  const web = express();
  web.set('etag', false);
  web.set('trust proxy', config.trustProxy);
  web.disable('x-powered-by');
  web.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  web.get('/readyz', async (_req, res) => {
    try {
      await (await db.pool()).query('select 1');
      res.json({ status: 'ok', database: 'up' });
    } catch (error) {
      logger.warn({ err: error }, 'readiness check failed');
      res.status(503).json({ status: 'unavailable', database: 'down' });
    }
  });
  web.get('/calendar/:file', async (req, res) => {
    const match = /^([A-Za-z0-9_-]{16,64})\.ics$/.exec(req.params.file);
    const body = match ? await new CalendarFeedService(db.orm.em.getKysely<DB>()).render(match[1]!) : null;
    if (body === null) {
      res.status(404).type('text/plain').send('No such calendar');
      return;
    }
    res.type('text/calendar; charset=utf-8').set('cache-control', 'private, max-age=60').send(body);
  });
  web.use(screenshotRoutes(app, (req, viewer) => createContext(app, viewer, requestInfo(req, config.publicUrl))));
  web.use(questRoutes(app));
  web.get('/metrics', async (_req, res) => {
    res.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });

  const httpServer = http.createServer(web);
  const wsServer = new WebSocketServer({ server: httpServer, path: '/graphql' });
  const wsHandle = attachWebSocketGraphql({ app, schema, wsServer });

  const apollo = new ApolloServer<Context>({
    gateway: jitGateway(schema),
    logger,
    introspection: !config.isProduction,
    includeStacktraceInErrorResponses: false,
    formatError: (formatted, error) => formatError(formatted, error, logger),
    plugins: [
      // No per-field hooks: they would wrap every resolver and keep graphql-jit from inlining fields.
      ApolloServerPluginCacheControlDisabled(),
      ApolloServerPluginDrainHttpServer({ httpServer }),
      {
        async serverWillStart() {
          return {
            async drainServer() {
              await wsHandle.dispose();
            },
          };
        },
      },
      operationPlugin(app, schema),
      config.isProduction
        ? ApolloServerPluginLandingPageProductionDefault({ footer: false })
        : ApolloServerPluginLandingPageLocalDefault({ embed: true, footer: false }),
    ],
  });
  await apollo.start();

  web.use(
    '/graphql',
    express.json({ limit: Math.max(config.queryLimits.maxBytes * 4, 100_000) }),
    (req, res, next) => {
      const body: unknown = req.body;
      const query =
        typeof body === 'object' && body && 'query' in body ? (body as { query: unknown }).query : undefined;
      try {
        checkDocumentSize(typeof query === 'string' ? query : undefined, config.queryLimits);
        next();
      } catch (error) {
        const message = error instanceof Error ? error.message : 'Document too large';
        res.status(413).json({ errors: [{ message, extensions: { code: 'QUERY_TOO_COMPLEX' } }] });
      }
    },
    expressMiddleware(apollo, {
      context: async ({ req }) => {
        const viewer = await viewers.resolve(bearerToken(req.headers.authorization));
        return createContext(app, viewer, requestInfo(req, config.publicUrl));
      },
    }),
  );

  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen(config.port, config.host, () => resolve());
  });
  const port = (httpServer.address() as AddressInfo).port;
  const host = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host;
  let closed = false;
  return {
    app,
    db,
    port,
    url: `http://${host}:${port}/graphql`,
    async close() {
      if (closed) return;
      closed = true;
      await app.timeTriggers.stop();
      await app.tasks.stop();
      await app.homeAssistant.stop();
      await app.quest.stop();
      await app.push.stop();
      await apollo.stop();
      await viewers.stop();
      await pubSubHandle.close();
      await db.close();
    },
  };
}

export function requestInfo(req: Request, publicUrl: string | undefined): RequestInfo {
  const userAgent = req.headers['user-agent'];
  return {
    ip: req.ip ?? null,
    userAgent: typeof userAgent === 'string' ? userAgent.slice(0, 500) : null,
    baseUrl: publicUrl ?? `${req.protocol}://${req.get('host') ?? 'localhost'}`,
  };
}
