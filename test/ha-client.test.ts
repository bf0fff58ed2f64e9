import { inspect } from 'node:util';
import { WebSocketServer, type WebSocket } from 'ws';
import {
  HaAuthError,
  HaClient,
  HaCommandError,
  HaConnectionError,
  HaUrlError,
  haWebSocketUrl,
  type HaEventMessage,
} from '../src/modules/home-assistant/ha-client';
import { FakeHomeAssistant } from './support/fake-home-assistant';

const TOKEN = 'llat-3f9c2e7d-very-secret';
const STATES = [
  { entity_id: 'light.kitchen', state: 'off', attributes: { friendly_name: 'Kitchen' } },
  { entity_id: 'switch.fan', state: 'on' },
];

let fake: FakeHomeAssistant;
const clients: HaClient[] = [];

async function connect(options: { token?: string; url?: string } = {}): Promise<HaClient> {
  const client = await HaClient.connect({ url: options.url ?? fake.url, accessToken: options.token ?? TOKEN });
  clients.push(client);
  return client;
}

function collect(): { events: HaEventMessage[]; onEvent: (event: HaEventMessage) => void } {
  const events: HaEventMessage[] = [];
  return { events, onEvent: (event) => events.push(event) };
}

beforeEach(async () => {
  fake = await FakeHomeAssistant.start({ token: TOKEN, states: STATES });
});

afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.close()));
  await fake.close();
});

describe('haWebSocketUrl', () => {
  it.each([
    ['http://h:8123', 'ws://h:8123/api/websocket'],
    ['http://h:8123/', 'ws://h:8123/api/websocket'],
    ['https://ha.example.com', 'wss://ha.example.com/api/websocket'],
    ['ws://h:8123', 'ws://h:8123/api/websocket'],
    ['wss://h/api/websocket', 'wss://h/api/websocket'],
    ['ws://h:8123/api/websocket/', 'ws://h:8123/api/websocket'],
    ['http://192.168.1.20:8123/api/websocket', 'ws://192.168.1.20:8123/api/websocket'],
  ])('maps %s to %s', (input, expected) => {
    expect(haWebSocketUrl(input)).toBe(expected);
  });

  it.each(['not a url', 'ftp://h:8123', 'file:///etc/passwd', 'http://user:pass@h:8123', 'http://:secret@h'])(
    'refuses %s',
    (input) => {
      expect(() => haWebSocketUrl(input)).toThrow(HaUrlError);
    },
  );

  it('does not repeat the credentials it refuses', () => {
    expect(() => haWebSocketUrl('http://admin:hunter2@h:8123')).toThrow(/^(?!.*hunter2)/);
  });
});

describe('HaClient against the fake Home Assistant', () => {
  it('authenticates and reports the Home Assistant version', async () => {
    const client = await connect();
    expect(client.haVersion).toBe('2026.11.1');
    expect(client.isOpen).toBe(true);
    expect(fake.authAttempts).toBe(1);
    await fake.waitFor(() => fake.connectionCount === 1);
  });

  it('rejects a wrong token with HaAuthError that never contains the token', async () => {
    fake.token = 'another-token';
    const error = await HaClient.connect({ url: fake.url, accessToken: TOKEN }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HaAuthError);
    expect((error as Error).message).toMatch(/Invalid access token/);
    for (const text of [
      (error as Error).message,
      String((error as Error).stack),
      inspect(error),
      JSON.stringify(error),
    ]) {
      expect(text).not.toContain(TOKEN);
    }
    expect(fake.authAttempts).toBe(1);
    expect(fake.connectionCount).toBe(0);
  });

  it('rejects with HaConnectionError when nothing listens, when refused and on a wrong path', async () => {
    const refusing = await FakeHomeAssistant.start({ token: TOKEN });
    refusing.refuseConnections(true);
    await expect(HaClient.connect({ url: refusing.url, accessToken: TOKEN })).rejects.toBeInstanceOf(HaConnectionError);
    refusing.refuseConnections(false);
    const client = await HaClient.connect({ url: refusing.url, accessToken: TOKEN });
    await client.close();
    await refusing.close();
    await expect(HaClient.connect({ url: refusing.url, accessToken: TOKEN })).rejects.toThrow(HaConnectionError);
    await expect(HaClient.connect({ url: `${fake.url}/elsewhere`, accessToken: TOKEN })).rejects.toThrow(/404/);
    await expect(HaClient.connect({ url: 'gopher://h', accessToken: TOKEN })).rejects.toBeInstanceOf(HaUrlError);
  });

  it('reads the configuration and the states', async () => {
    const client = await connect();
    const config = await client.getConfig();
    expect(config).toMatchObject({ version: '2026.11.1', location_name: 'Home', time_zone: 'Europe/Berlin' });
    expect(config.components).toContain('light');
    const states = await client.getStates();
    expect(states.map((s) => [s.entity_id, s.state])).toEqual([
      ['light.kitchen', 'off'],
      ['switch.fan', 'on'],
    ]);
    expect(states[0]).toMatchObject({ attributes: { friendly_name: 'Kitchen' }, context: { parent_id: null } });
    expect(states[0].last_changed).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}\+00:00$/);
  });

  it('delivers subscribed events in order, and only those of the subscribed type', async () => {
    const client = await connect();
    const changes = collect();
    const everything = collect();
    await client.subscribeEvents('state_changed', changes.onEvent);
    await client.subscribeEvents(undefined, everything.onEvent);
    fake.setState('sensor.temperature', '20.5', { unit_of_measurement: '°C' });
    fake.setState('sensor.temperature', '21.0');
    fake.fireEvent('custom_event', { answer: 42 });
    fake.setState('sensor.temperature', '21.5');
    await fake.waitFor(() => changes.events.length === 3 && everything.events.length === 4);
    expect(changes.events.map((e) => (e.data.new_state as { state: string }).state)).toEqual(['20.5', '21.0', '21.5']);
    expect(changes.events[0].data).toMatchObject({ entity_id: 'sensor.temperature', old_state: null });
    expect(changes.events[1].data.old_state).toMatchObject({ state: '20.5' });
    expect(changes.events[1].data.new_state).toMatchObject({ attributes: { unit_of_measurement: '°C' } });
    expect(changes.events[0]).toMatchObject({ event_type: 'state_changed', origin: 'LOCAL' });
    expect(new Set(changes.events.map((e) => e.context.id)).size).toBe(3);
    expect(everything.events.map((e) => e.event_type)).toEqual([
      'state_changed',
      'state_changed',
      'custom_event',
      'state_changed',
    ]);
    expect(everything.events[2].data).toEqual({ answer: 42 });
  });

  it('stops delivering events once unsubscribed', async () => {
    const client = await connect();
    const { events, onEvent } = collect();
    const unsubscribe = await client.subscribeEvents('state_changed', onEvent);
    fake.setState('light.kitchen', 'on');
    await fake.waitFor(() => events.length === 1);
    await unsubscribe();
    await unsubscribe();
    fake.setState('light.kitchen', 'off');
    await client.ping(); // the fake answers in order, so a late event would have arrived by now
    expect(events).toHaveLength(1);
  });

  it('calls a service, which changes the state and emits a state_changed event', async () => {
    const client = await connect();
    const { events, onEvent } = collect();
    await client.subscribeEvents('state_changed', onEvent);
    const result = (await client.callService({
      domain: 'light',
      service: 'turn_on',
      target: { entity_id: 'light.kitchen' },
      serviceData: { brightness: 200 },
    })) as { context: { id: string } };
    expect(result.context.id).toEqual(expect.any(String));
    await fake.waitFor(() => events.length === 1);
    expect(events[0].data).toMatchObject({
      entity_id: 'light.kitchen',
      old_state: { state: 'off' },
      new_state: { state: 'on', context: { id: result.context.id } },
    });
    expect(fake.calls).toEqual([
      {
        domain: 'light',
        service: 'turn_on',
        target: { entity_id: 'light.kitchen' },
        service_data: { brightness: 200 },
      },
    ]);
    await client.callService({ domain: 'switch', service: 'toggle', serviceData: { entity_id: ['switch.fan'] } });
    const states = await client.getStates();
    expect(states.find((s) => s.entity_id === 'switch.fan')?.state).toBe('off');
    expect(await client.callService({ domain: 'script', service: 'bedtime', returnResponse: true })).toMatchObject({
      response: {},
    });
  });

  it('rejects an unknown service or command with HaCommandError and its code', async () => {
    const client = await connect();
    const error = await client.callService({ domain: 'teleporter', service: 'engage' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HaCommandError);
    expect(error).toMatchObject({ code: 'not_found', message: 'Service not found.' });
    await expect(client.command({ type: 'make_coffee' })).rejects.toMatchObject({ code: 'unknown_command' });
    expect(fake.calls).toEqual([]);
    expect(client.isOpen).toBe(true);
  });

  it('measures the round trip of a ping', async () => {
    const client = await connect();
    const rtt = await client.ping();
    expect(typeof rtt).toBe('number');
    expect(rtt).toBeGreaterThanOrEqual(0);
    expect(rtt).toBeLessThan(5_000);
  });

  it('reports a dropped connection through onClose and rejects pending commands', async () => {
    const client = await connect();
    const closed = new Promise<Error | undefined>((resolve) => client.onClose(resolve));
    const pending = client.getStates();
    fake.dropConnections();
    await expect(pending).rejects.toBeInstanceOf(HaConnectionError);
    expect(await closed).toBeInstanceOf(HaConnectionError);
    expect(client.isOpen).toBe(false);
    await expect(client.ping()).rejects.toBeInstanceOf(HaConnectionError);
    const late = new Promise<Error | undefined>((resolve) => client.onClose(resolve));
    expect(await late).toBeInstanceOf(HaConnectionError);
  });

  it('does not call onClose for its own close(), and the fake sees the socket go', async () => {
    const client = await connect();
    const onClose = jest.fn();
    client.onClose(onClose);
    await fake.waitFor(() => fake.connectionCount === 1);
    await client.close();
    await client.close();
    await fake.waitFor(() => fake.connectionCount === 0);
    expect(onClose).not.toHaveBeenCalled();
    expect(client.isOpen).toBe(false);
  });

  it('handles coalesced frames carrying several messages', async () => {
    const client = await connect();
    const { events, onEvent } = collect();
    await client.subscribeEvents(undefined, onEvent);
    const before = fake.coalescedFrames;
    fake.fireEvent('first', { n: 1 });
    fake.fireEvent('second', { n: 2 });
    await fake.waitFor(() => events.length === 2);
    expect(events.map((e) => e.event_type)).toEqual(['first', 'second']);
    expect(fake.coalescedFrames).toBe(before + 1);
  });

  it('sends one frame per message when coalescing is off, and keeps up with a burst', async () => {
    const plain = await FakeHomeAssistant.start({ token: TOKEN, coalesce: false });
    const client = await HaClient.connect({ url: plain.url, accessToken: TOKEN });
    try {
      const { events, onEvent } = collect();
      await client.subscribeEvents('state_changed', onEvent);
      plain.pushStateChanges(1_000, { entityPrefix: 'sensor.burst_' });
      await plain.waitFor(() => events.length === 1_000);
      expect(plain.coalescedFrames).toBe(0);
      const last = events[999].data.new_state as { entity_id: string; state: string; attributes: { sent_at: number } };
      expect(last).toMatchObject({ entity_id: 'sensor.burst_249', state: '999' });
      expect(last.attributes.sent_at).toBeLessThanOrEqual(Date.now());
    } finally {
      await client.close();
      await plain.close();
    }
  });

  it('batches a burst into coalesced frames', async () => {
    const client = await connect();
    const { events, onEvent } = collect();
    await client.subscribeEvents('state_changed', onEvent);
    fake.pushStateChanges(2_000);
    await fake.waitFor(() => events.length === 2_000);
    expect(fake.coalescedFrames).toBeGreaterThanOrEqual(4);
    expect(events.map((e) => Number((e.data.new_state as { state: string }).state))).toEqual(
      Array.from({ length: 2_000 }, (_, i) => i),
    );
  });
});

/** A server that follows a script, for what a well-behaved Home Assistant never does. */
async function scriptedServer(onMessage: (socket: WebSocket, message: Record<string, any>) => void) {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, path: '/api/websocket' });
  await new Promise((resolve) => wss.once('listening', resolve));
  wss.on('connection', (socket) => {
    socket.on('message', (data) => onMessage(socket, JSON.parse(data.toString())));
    socket.send(JSON.stringify({ type: 'auth_required', ha_version: '2026.1.0' }));
  });
  const address = wss.address() as { port: number };
  return {
    url: `http://127.0.0.1:${address.port}`,
    wss,
    close: () => {
      for (const socket of wss.clients) socket.terminate();
      return new Promise((resolve) => wss.close(resolve));
    },
  };
}

function authOk(socket: WebSocket, message: Record<string, any>): boolean {
  if (message.type !== 'auth') return false;
  socket.send(JSON.stringify({ type: 'auth_ok', ha_version: '2026.1.0' }));
  return true;
}

describe('HaClient against a misbehaving server', () => {
  it('delivers events that arrive before the subscription result', async () => {
    const server = await scriptedServer((socket, message) => {
      if (authOk(socket, message)) return;
      if (message.type !== 'subscribe_events') {
        socket.send(JSON.stringify({ id: message.id, type: 'result', success: true, result: null }));
        return;
      }
      const event = { event_type: 'early', data: {}, origin: 'LOCAL', time_fired: '', context: {} };
      socket.send(JSON.stringify({ id: message.id, type: 'event', event }));
      socket.send(JSON.stringify([{ id: message.id, type: 'event', event: { ...event, event_type: 'early2' } }]));
      socket.send(JSON.stringify({ id: message.id, type: 'result', success: true, result: null }));
    });
    const client = await HaClient.connect({ url: server.url, accessToken: TOKEN });
    try {
      const { events, onEvent } = collect();
      await client.subscribeEvents('early', onEvent);
      expect(events.map((e) => e.event_type)).toEqual(['early', 'early2']);
    } finally {
      await client.close();
      await server.close();
    }
  });

  it('closes with HaConnectionError on a frame that is not JSON', async () => {
    const server = await scriptedServer((socket, message) => {
      if (authOk(socket, message)) return;
      if (message.type === 'get_states') socket.send('{not json');
    });
    const client = await HaClient.connect({ url: server.url, accessToken: TOKEN });
    try {
      const closed = new Promise<Error | undefined>((resolve) => client.onClose(resolve));
      await expect(client.getStates()).rejects.toBeInstanceOf(HaConnectionError);
      expect(await closed).toMatchObject({
        name: 'HaConnectionError',
        message: expect.stringMatching(/not valid JSON/),
      });
    } finally {
      await client.close();
      await server.close();
    }
  });

  it('times out a silent server and an unanswered command without leaving sockets open', async () => {
    const silent = await scriptedServer(() => undefined);
    silent.wss.removeAllListeners('connection');
    silent.wss.on('connection', (socket) => socket.on('error', () => undefined));
    const started = Date.now();
    await expect(
      HaClient.connect({ url: silent.url, accessToken: TOKEN, connectTimeoutMs: 200 }),
    ).rejects.toBeInstanceOf(HaConnectionError);
    expect(Date.now() - started).toBeLessThan(2_000);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(silent.wss.clients.size).toBe(0);
    await silent.close();

    const mute = await scriptedServer((socket, message) => void authOk(socket, message));
    const client = await HaClient.connect({ url: mute.url, accessToken: TOKEN, commandTimeoutMs: 200 });
    try {
      await expect(client.getConfig()).rejects.toThrow(/did not answer 'get_config' within 200 ms/);
      expect(client.isOpen).toBe(true);
    } finally {
      await client.close();
      await mute.close();
    }
  });

  it('redacts the token if the server echoes it back', async () => {
    const server = await scriptedServer((socket, message) =>
      socket.send(JSON.stringify({ type: 'auth_invalid', message: `token ${message.access_token} is not valid` })),
    );
    try {
      const error = await HaClient.connect({ url: server.url, accessToken: TOKEN }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(HaAuthError);
      expect((error as Error).message).toContain('[redacted]');
      expect((error as Error).message).not.toContain(TOKEN);
    } finally {
      await server.close();
    }
  });
});
