import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { PGlite } from '@electric-sql/pglite';
import { vector as pgvector } from '@electric-sql/pglite-pgvector';
import {
  createEmbedder,
  EMBEDDING_DIMENSIONS,
  EmbeddingError,
  eventText,
  LocalEmbedder,
  OpenAiEmbedder,
  toVectorLiteral,
  type EmbeddableEvent,
} from '../src/modules/home-assistant/embedding';

function event(overrides: Partial<EmbeddableEvent>): EmbeddableEvent {
  return {
    eventType: 'state_changed',
    entityId: null,
    oldState: null,
    newState: null,
    attributes: null,
    timestamp: new Date('2026-11-23T12:00:00Z'),
    ...overrides,
  };
}

function kitchenLight(
  from: string,
  to: string,
  iso: string,
  attributes: Record<string, unknown> = {},
): EmbeddableEvent {
  return event({
    entityId: 'light.kitchen',
    oldState: from,
    newState: to,
    attributes: { friendly_name: 'Kitchen', supported_color_modes: ['xy'], ...attributes },
    timestamp: new Date(iso),
  });
}

function norm(v: number[]): number {
  return Math.sqrt(v.reduce((sum, x) => sum + x * x, 0));
}

function cosine(a: number[], b: number[]): number {
  let dot = 0;
  for (let i = 0; i < a.length; i++) dot += a[i] * b[i];
  return dot / (norm(a) * norm(b));
}

const local = new LocalEmbedder();
const embedOne = async (e: EmbeddableEvent): Promise<number[]> => (await local.embed([e]))[0];

describe('eventText', () => {
  it('describes an event compactly, in the home time zone, without volatile attributes', () => {
    const text = eventText(
      kitchenLight('off', 'on', '2026-11-23T06:15:00Z', {
        brightness: 200,
        color_mode: 'xy',
        sent_at: '2026-11-23T06:15:00.123Z',
        context_id: '01JDRX9ZQ0V9Y8X7W6V5T4S3R2',
        effect_list: ['none', 'colorloop'],
        nested: { a: 1 },
      }),
    );
    expect(text).toBe(
      'state_changed light.kitchen (light): off → on at 06:15 Monday; brightness=200 color_mode=xy effect_list=none,colorloop friendly_name=Kitchen nested={…} supported_color_modes=xy',
    );
    expect(eventText({ ...kitchenLight('off', 'on', '2026-11-23T06:15:00Z'), timeZone: 'Europe/Berlin' })).toContain(
      'at 07:15 Monday',
    );
    expect(eventText(event({ eventType: 'call_service', attributes: { domain: 'light', service: 'turn_on' } }))).toBe(
      'call_service at 12:00 Monday; domain=light service=turn_on',
    );
  });
});

describe('toVectorLiteral', () => {
  it('writes the shortest decimals that keep every float4 and rejects what pgvector cannot store', () => {
    expect(toVectorLiteral([0.1, -0.5, 0, 1e-7, 1 / 3])).toBe('[0.1,-0.5,0,1e-7,0.33333334]');
    const v = Array.from({ length: EMBEDDING_DIMENSIONS }, (_, i) => Math.sin(i * 12.9898) / 40);
    const literal = toVectorLiteral(v);
    expect(literal).toMatch(/^\[[^\s]+\]$/);
    expect(literal.slice(1, -1).split(',').map(Number).map(Math.fround)).toEqual(v.map(Math.fround));
    expect(() => toVectorLiteral([0.1, Number.NaN])).toThrow(EmbeddingError);
    expect(() => toVectorLiteral([Number.POSITIVE_INFINITY])).toThrow(/component 0/);
    expect(() => toVectorLiteral([1e39])).toThrow(EmbeddingError);
    expect(() => toVectorLiteral([])).toThrow(EmbeddingError);
  });

  it('is accepted by pgvector, whose cosine distance agrees with the vectors', async () => {
    const db = await PGlite.create({ extensions: { vector: pgvector } });
    try {
      await db.exec('create extension if not exists vector');
      const [a, b] = await local.embed([
        kitchenLight('off', 'on', '2026-11-23T07:15:00Z'),
        kitchenLight('on', 'off', '2026-11-23T22:40:00Z'),
      ]);
      const result = await db.query<{ distance: number; text: string }>(
        'select $1::vector(1536) <=> $2::vector(1536) as distance, $1::vector(1536)::text as text',
        [toVectorLiteral(a), toVectorLiteral(b)],
      );
      expect(result.rows[0].distance).toBeCloseTo(1 - cosine(a, b), 5);
      expect((JSON.parse(result.rows[0].text) as number[]).map(Math.fround)).toEqual(a.map(Math.fround));
    } finally {
      await db.close();
    }
  });
});

describe('LocalEmbedder', () => {
  const events = [
    kitchenLight('off', 'on', '2026-11-23T07:15:00Z', { brightness: 200, color_mode: 'xy' }),
    kitchenLight('off', 'on', '2026-11-24T07:40:00Z', { brightness: 190, color_mode: 'xy' }),
    kitchenLight('on', 'off', '2026-11-23T07:20:00Z', { color_mode: null }),
    event({
      entityId: 'climate.living_room',
      oldState: 'heat',
      newState: 'heat',
      attributes: { current_temperature: 20.5, temperature: 21, hvac_action: 'heating', friendly_name: 'Living room' },
      timestamp: new Date('2026-11-23T19:00:00Z'),
    }),
    event({ entityId: 'sensor.outdoor_temperature', oldState: '4.3', newState: '4.1' }),
    event({ eventType: 'call_service', attributes: { domain: 'light', service: 'turn_on', service_data: { x: 1 } } }),
    event({ entityId: 'sensor.ünïcødé_🙂', oldState: 'unavailable', newState: 'x'.repeat(10_000) }),
  ];

  it('is deterministic', async () => {
    const first = await local.embed(events);
    const again = await new LocalEmbedder().embed(events);
    expect(again).toEqual(first);
    // Embedding another event in between leaves nothing behind.
    expect(await local.embed([events[3], events[0]])).toEqual([first[3], first[0]]);
  });

  it('gives unit vectors of the column width, even for an event with nothing to describe', async () => {
    const empty = event({ eventType: '', timestamp: new Date(Number.NaN) });
    for (const v of await local.embed([...events, empty])) {
      expect(v).toHaveLength(EMBEDDING_DIMENSIONS);
      expect(v.every(Number.isFinite)).toBe(true);
      expect(norm(v)).toBeCloseTo(1, 12);
    }
  });

  it('puts the same entity doing the same thing at a similar time nearest', async () => {
    const [on0715, on0740, off0720, thermostat] = await local.embed(events.slice(0, 4));
    const same = cosine(on0715, on0740);
    expect(same).toBeGreaterThan(0.85);
    expect(same).toBeGreaterThan(cosine(on0715, off0720) + 0.2);
    expect(cosine(on0715, thermostat)).toBeLessThan(0.2);
    expect(cosine(on0715, off0720)).toBeGreaterThan(cosine(on0715, thermostat));
  });

  it('treats time of day as a cycle', async () => {
    const at = (iso: string) => embedOne(event({ eventType: 'tick', timestamp: new Date(iso) }));
    const late = await at('2026-11-24T23:50:00Z');
    const afterMidnight = await at('2026-11-25T00:10:00Z');
    const evening = await at('2026-11-24T21:00:00Z');
    const noon = await at('2026-11-24T12:00:00Z');
    const midnightPair = cosine(late, afterMidnight);
    expect(midnightPair).toBeGreaterThan(0.7);
    expect(midnightPair).toBeGreaterThan(cosine(late, evening));
    expect(cosine(late, evening)).toBeGreaterThan(cosine(late, noon));
    expect(cosine(late, noon)).toBeLessThan(0.5);
    const noonPair = cosine(await at('2026-11-24T11:50:00Z'), await at('2026-11-24T12:10:00Z'));
    expect(midnightPair).toBeCloseTo(noonPair, 1);
  });

  it('reads the time of day in the home time zone', async () => {
    const utc = await embedOne(kitchenLight('off', 'on', '2026-11-23T07:15:00Z'));
    const berlin = await embedOne({ ...kitchenLight('off', 'on', '2026-11-23T06:15:00Z'), timeZone: 'Europe/Berlin' });
    const unknownZone = await embedOne({ ...kitchenLight('off', 'on', '2026-11-23T07:15:00Z'), timeZone: 'Mars/Base' });
    expect(berlin).toEqual(utc);
    expect(unknownZone).toEqual(utc);
  });

  it('ignores volatile attributes', async () => {
    const base = { brightness: 200, friendly_name: 'Kitchen' };
    const plain = await embedOne(kitchenLight('off', 'on', '2026-11-23T07:15:00Z', base));
    const withVolatile = (stamp: string, id: string) =>
      embedOne(
        kitchenLight('off', 'on', '2026-11-23T07:15:00Z', {
          ...base,
          sent_at: stamp,
          last_updated: stamp,
          timestamp: stamp,
          context_id: id,
          user_id: id,
          next_dawn: stamp,
          request: '4f1c2d3e-5a6b-4c7d-8e9f-0a1b2c3d4e5f',
        }),
      );
    const a = await withVolatile('2026-11-23T07:15:00.123Z', '01JDRX9ZQ0V9Y8X7W6V5T4S3R2');
    const b = await withVolatile('2026-11-24T09:00:00.999Z', '01JDRXB0000000000000000000');
    expect(b).toEqual(a);
    // Only the key of a value that is itself volatile remains.
    expect(cosine(a, plain)).toBeGreaterThan(0.98);
  });
});

interface Received {
  method: string | undefined;
  url: string | undefined;
  headers: http.IncomingHttpHeaders;
  body: { model: string; input: string[]; dimensions: number };
}

describe('OpenAiEmbedder', () => {
  const apiKey = 'sk-test-0123456789abcdef';
  let server: http.Server;
  let url: string;
  let received: Received[] = [];
  let answer: (request: Received, res: http.ServerResponse) => void;

  /** A vector whose first component is the number in the input's `sensor.nN` entity id. */
  const fakeVector = (text: string, dimensions = EMBEDDING_DIMENSIONS): number[] => {
    const v = Array.from({ length: dimensions }, (_, i) => (i % 7) / 100);
    v[0] = Number(/sensor\.n(\d+)/.exec(text)?.[1] ?? -1);
    return v;
  };
  const openAiAnswer =
    (dimensions = EMBEDDING_DIMENSIONS) =>
    (request: Received, res: http.ServerResponse) => {
      const data = request.body.input.map((text, index) => ({
        object: 'embedding',
        index,
        embedding: fakeVector(text, dimensions),
      }));
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          object: 'list',
          data: data.reverse(),
          model: request.body.model,
          usage: { prompt_tokens: 8, total_tokens: 8 },
        }),
      );
    };
  const sensors = (count: number) =>
    Array.from({ length: count }, (_, i) => event({ entityId: `sensor.n${i}`, oldState: '1', newState: '2' }));

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const request: Received = {
          method: req.method,
          url: req.url,
          headers: req.headers,
          body: JSON.parse(Buffer.concat(chunks).toString('utf8')),
        };
        received.push(request);
        answer(request, res);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  beforeEach(() => {
    received = [];
    answer = openAiAnswer();
  });

  it('sends the OpenAI request and orders the vectors by index', async () => {
    const embedder = new OpenAiEmbedder({ url: `${url}/`, model: 'text-embedding-3-small', apiKey });
    const events = sensors(3);
    const vectors = await embedder.embed(events);
    expect(received).toHaveLength(1);
    const [request] = received;
    expect(request.method).toBe('POST');
    expect(request.url).toBe('/v1/embeddings');
    expect(request.headers.authorization).toBe(`Bearer ${apiKey}`);
    expect(request.headers['content-type']).toBe('application/json');
    expect(request.body).toEqual({ model: 'text-embedding-3-small', input: events.map(eventText), dimensions: 1536 });
    expect(vectors.map((v) => v[0])).toEqual([0, 1, 2]);
    expect(vectors.every((v) => v.length === EMBEDDING_DIMENSIONS)).toBe(true);
    expect(embedder.name).toBe('openai:text-embedding-3-small');
  });

  it('sends no authorization without a key, and no request for no events', async () => {
    const embedder = new OpenAiEmbedder({ url, model: 'nomic-embed-text' });
    expect(await embedder.embed([])).toEqual([]);
    expect(received).toHaveLength(0);
    await embedder.embed(sensors(1));
    expect(received[0].headers.authorization).toBeUndefined();
  });

  it('sends at most 256 inputs per request and keeps the order across batches', async () => {
    const embedder = new OpenAiEmbedder({ url, model: 'text-embedding-3-small', apiKey });
    const vectors = await embedder.embed(sensors(600));
    expect(received.map((r) => r.body.input.length)).toEqual([256, 256, 88]);
    expect(vectors.map((v) => v[0])).toEqual(Array.from({ length: 600 }, (_, i) => i));
  });

  it('reports an error status without the API key', async () => {
    answer = (request, res) => {
      res.writeHead(401, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          error: {
            message: `Incorrect API key provided: ${request.headers.authorization}`,
            type: 'invalid_request_error',
          },
        }),
      );
    };
    const embedder = new OpenAiEmbedder({ url, model: 'text-embedding-3-small', apiKey });
    const error: unknown = await embedder.embed(sensors(1)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EmbeddingError);
    expect((error as EmbeddingError).status).toBe(401);
    expect((error as EmbeddingError).message).toMatch(/HTTP 401: .*Incorrect API key provided/);
    expect((error as EmbeddingError).message).not.toContain(apiKey);
  });

  it('rejects vectors of the wrong dimension or with non-numbers', async () => {
    const embedder = new OpenAiEmbedder({ url, model: 'text-embedding-3-small', apiKey });
    answer = openAiAnswer(768);
    await expect(embedder.embed(sensors(2))).rejects.toThrow(/768 dimensions/);
    answer = (request, res) => {
      const embedding: (number | null)[] = fakeVector(request.body.input[0]);
      embedding[5] = null;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ object: 'list', data: [{ object: 'embedding', index: 0, embedding }] }));
    };
    await expect(embedder.embed(sensors(1))).rejects.toThrow(EmbeddingError);
    answer = (_request, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ object: 'list', data: [] }));
    };
    await expect(embedder.embed(sensors(1))).rejects.toThrow(/0 embeddings for 1 inputs/);
  });

  it('gives up after the timeout', async () => {
    answer = () => undefined;
    const embedder = new OpenAiEmbedder({ url, model: 'text-embedding-3-small', timeoutMs: 200 });
    await expect(embedder.embed(sensors(1))).rejects.toThrow(/timed out after 200 ms/);
  });
});

describe('createEmbedder', () => {
  it('uses the remote service when a URL is configured, the local embedder otherwise', () => {
    expect(createEmbedder({ model: 'text-embedding-3-small' })).toBeInstanceOf(LocalEmbedder);
    expect(createEmbedder({ url: '', model: 'text-embedding-3-small' })).toBeInstanceOf(LocalEmbedder);
    expect(createEmbedder({ url: 'https://api.openai.com/v1', model: 'text-embedding-3-small' })).toBeInstanceOf(
      OpenAiEmbedder,
    );
  });
});
