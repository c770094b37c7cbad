// Unit tests of the generated code. They run offline: the secret reader and the Momento client
// are replaced by in-memory fakes that answer with the SDK's own response types.
//
//     npm install && npm test

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { afterEach, beforeEach, test } from 'node:test';
import { AuthenticationError, CacheGet, CacheSet, PermissionError, TimeoutError } from '@gomomento/sdk';
import type { CacheClient, CredentialProvider, SdkError } from '@gomomento/sdk';

import { handler, loadFromSource } from '../src/handler.ts';
import {
  BREAKER_COOL_DOWN_MS,
  BREAKER_THRESHOLD,
  MomentoUnavailable,
  breakerOpen,
  credentialProvider,
  localCredentialProvider,
  momentoClientReady,
  prepareMomentoClient,
  parseSecret,
  resetForTests,
  secretId,
  withDeadline,
} from '../src/momentoClient.ts';

function jwt(claims: object): string {
  const part = (document: object): string => Buffer.from(JSON.stringify(document)).toString('base64url');
  return `${part({ alg: 'HS256', typ: 'JWT' })}.${part(claims)}.c2lnbmF0dXJl`;
}

const V2_KEY = jwt({ t: 'g', id: 'unit-test' });
const LEGACY_KEY = jwt({ sub: 'unit-test', c: 'cache.cell-9.example.com', cp: 'control.cell-9.example.com' });

interface Shape {
  name: string;
  kind: 'v2' | 'legacy'; // v2 keys need the endpoint beside them; legacy keys carry theirs
  encode: (key: string) => string;
}

// Every secret shape the module accepts (the secret contract, its older shapes, and the shape
// Momento's key-refresh Lambda keeps up to date).
const SHAPES: Shape[] = [
  { name: 'contract', kind: 'v2', encode: (key) => JSON.stringify({ MOMENTO_API_KEY: key, MOMENTO_ENDPOINT: 'cell-1.example.com' }) },
  { name: 'contract, legacy key', kind: 'legacy', encode: (key) => JSON.stringify({ MOMENTO_API_KEY: key }) },
  { name: 'MOMENTO_AUTH_TOKEN', kind: 'legacy', encode: (key) => JSON.stringify({ MOMENTO_AUTH_TOKEN: key }) },
  { name: 'plain text', kind: 'legacy', encode: (key) => `  ${key}\n` },
  {
    name: 'key-refresh',
    kind: 'v2',
    encode: (key) => JSON.stringify({ apiKey: key, refreshToken: 'refresh-token', validUntil: 1798675200, endpoint: 'cell-1.example.com' }),
  },
  {
    name: 'key-refresh, authToken',
    kind: 'legacy',
    encode: (key) => JSON.stringify({ authToken: key, refreshToken: 'refresh-token', validUntil: '1803859200' }, null, 2),
  },
];

function keyFor(shape: Shape, tag: string): string {
  return shape.kind === 'v2' ? jwt({ t: 'g', id: tag }) : jwt({ sub: tag, c: 'cache.cell-9.example.com', cp: 'control.cell-9.example.com' });
}

interface World {
  secret: string;
  acceptedKey: string;
  store: Map<string, string>;
  reads: number;
  gets: number;
  clients: FakeCache[];
}

interface Body {
  item: unknown;
  cache: string;
}

interface LogLine {
  event: string;
  cache: string;
  error?: string;
  latency_ms: number;
  request_id?: string;
}

class FakeCache {
  world: World;
  apiKey: string;
  failWith: SdkError | null;

  constructor(world: World, apiKey: string) {
    this.world = world;
    this.apiKey = apiKey;
    this.failWith = null;
  }

  error<E>(kind: { Error: new (error: SdkError) => E }): E | null {
    if (this.failWith) return new kind.Error(this.failWith);
    if (this.apiKey !== this.world.acceptedKey) return new kind.Error(new AuthenticationError('rejected'));
    return null;
  }

  async get(cache: string, key: string): Promise<CacheGet.Response> {
    this.world.gets += 1;
    const error = this.error(CacheGet);
    if (error) return error;
    const value = this.world.store.get(`${cache}/${key}`);
    return value === undefined ? new CacheGet.Miss() : new CacheGet.Hit(new TextEncoder().encode(value));
  }

  async set(cache: string, key: string, value: string): Promise<CacheSet.Response> {
    const error = this.error(CacheSet);
    if (error) return error;
    this.world.store.set(`${cache}/${key}`, value);
    return new CacheSet.Success();
  }

  close(): void {}
}

// The secret reader and client factory the tests give the module (world is per test).
const fakes = {
  readSecretString: async (): Promise<string> => {
    world.reads += 1;
    return world.secret;
  },
  newClient: async (provider: CredentialProvider): Promise<CacheClient> => {
    const client = new FakeCache(world, provider.getAuthToken());
    world.clients.push(client);
    return client as unknown as CacheClient;
  },
};

let world: World;
let output: LogLine[];
const realWrite = process.stdout.write;

beforeEach(() => {
  process.env.MOMENTO_SECRET_ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:unit-AbCdEf';
  process.env.MOMENTO_CACHE_NAME = 'unit-cache';
  delete process.env.MOMENTO_LOCAL;
  world = {
    secret: JSON.stringify({ MOMENTO_API_KEY: V2_KEY, MOMENTO_ENDPOINT: 'cell-1.example.com' }),
    acceptedKey: V2_KEY,
    store: new Map(),
    reads: 0,
    gets: 0,
    clients: [],
  };
  resetForTests(fakes);
  output = [];
  process.stdout.write = (chunk: string | Uint8Array): boolean => {
    if (String(chunk).startsWith('{')) output.push(JSON.parse(String(chunk)) as LogLine);
    else realWrite.call(process.stdout, chunk);
    return true;
  };
});

afterEach(() => {
  process.stdout.write = realWrite;
  resetForTests();
});

async function invoke(id = 'demo'): Promise<Body> {
  const response = await handler({ pathParameters: { id } }, { awsRequestId: 'req-1' });
  assert.equal(response.statusCode, 200);
  return JSON.parse(response.body) as Body;
}

test('miss then hit, one client, one secret read', async () => {
  const first = await invoke('a');
  const second = await invoke('a');
  assert.equal(first.cache, 'miss');
  assert.equal(second.cache, 'hit');
  assert.deepEqual(second.item, await loadFromSource('a'));
  assert.equal(world.reads, 1);
  assert.equal(world.clients.length, 1);
  assert.deepEqual(output.map((line) => line.cache), ['miss', 'hit']);
  assert.ok(output.every((line) => line.event === 'cache-aside' && line.latency_ms >= 0 && line.request_id === 'req-1'));
});

test('Momento errors fall back to the source', async () => {
  await invoke('warm');
  world.clients[0].failWith = new TimeoutError('slow');
  assert.deepEqual(await invoke('b'), { item: await loadFromSource('b'), cache: 'error' });
  assert.match(output.at(-1)?.error ?? '', /TIMEOUT_ERROR/);
});

test('an unreadable secret falls back and is not retried on every request', async () => {
  let calls = 0;
  resetForTests({
    readSecretString: async () => {
      calls += 1;
      throw new Error('secrets manager is slow');
    },
  });
  assert.equal((await invoke('c')).cache, 'error');
  assert.equal((await invoke('c')).cache, 'error');
  assert.equal(calls, 1);
});

test('a rotated key is picked up without a redeploy', async () => {
  await invoke('d');
  const newKey = jwt({ t: 'g', id: 'rotated' });
  world.secret = JSON.stringify({ MOMENTO_API_KEY: newKey, MOMENTO_ENDPOINT: 'cell-1.example.com' });
  world.acceptedKey = newKey;
  assert.equal((await invoke('d')).cache, 'hit');
  assert.equal(world.reads, 2);
  assert.equal(world.clients.length, 2);
});

test('every secret shape', () => {
  assert.deepEqual(parseSecret(JSON.stringify({ MOMENTO_API_KEY: V2_KEY, MOMENTO_ENDPOINT: 'cell-1.example.com' })), {
    apiKey: V2_KEY,
    endpoint: 'cell-1.example.com',
  });
  assert.deepEqual(parseSecret(JSON.stringify({ MOMENTO_API_KEY: LEGACY_KEY })), { apiKey: LEGACY_KEY, endpoint: undefined });
  assert.deepEqual(parseSecret(JSON.stringify({ MOMENTO_AUTH_TOKEN: LEGACY_KEY })), { apiKey: LEGACY_KEY, endpoint: undefined });
  assert.deepEqual(parseSecret(`  ${LEGACY_KEY}\n`), { apiKey: LEGACY_KEY, endpoint: undefined });
  for (const shape of SHAPES) {
    const key = keyFor(shape, 'parse');
    const endpoint = shape.kind === 'v2' ? 'cell-1.example.com' : undefined;
    assert.deepEqual(parseSecret(shape.encode(key)), { apiKey: key, endpoint }, shape.name);
  }
  for (const bad of ['', '{not json', '[]', JSON.stringify({ other: 'x' })]) {
    assert.throws(() => parseSecret(bad), (error) => error instanceof MomentoUnavailable && !error.message.includes('not json'));
  }
});

for (const shape of SHAPES) {
  test(`a secret of shape ${shape.name} serves the cache`, async () => {
    const key = keyFor(shape, `shape-${shape.name}`);
    world.secret = shape.encode(key);
    world.acceptedKey = key;
    assert.deepEqual([(await invoke('s')).cache, (await invoke('s')).cache], ['miss', 'hit']);
    assert.equal(world.reads, 1);
    assert.equal(world.clients.length, 1);
  });
}

// A rotation may change the shape too (a key-refresh Lambda taking over a contract secret...).
for (const [index, from] of SHAPES.entries()) {
  const to = SHAPES[(index + 1) % SHAPES.length];
  test(`a rotation from shape ${from.name} to shape ${to.name} is picked up`, async () => {
    const oldKey = keyFor(from, 'before');
    world.secret = from.encode(oldKey);
    world.acceptedKey = oldKey;
    assert.equal((await invoke('r')).cache, 'miss');
    const newKey = keyFor(to, 'after');
    world.secret = to.encode(newKey);
    world.acceptedKey = newKey; // Momento rejects the old key from now on
    assert.equal((await invoke('r')).cache, 'hit');
    assert.equal(world.reads, 2);
    assert.equal(world.clients.length, 2);
    assert.equal(world.clients[1].apiKey, newKey);
  });
}

test('withDeadline gives up on an operation that never settles, and aborts its signal', async () => {
  let seen: AbortSignal | undefined;
  const started = Date.now();
  await assert.rejects(
    withDeadline(50, 'reading the Momento secret', (signal) => {
      seen = signal;
      return new Promise<never>(() => {}); // ignores the signal on purpose
    }),
    (error: Error) => error.name === 'TimeoutError' && error.message === 'reading the Momento secret took longer than 50 ms',
  );
  assert.ok(Date.now() - started < 1_000);
  assert.equal(seen?.aborted, true);
  assert.equal(await withDeadline(1_000, 'x', async () => 'answer'), 'answer');
});

test('credential providers', () => {
  assert.equal(credentialProvider(V2_KEY, 'cell-1.example.com').getCacheEndpoint(), 'cache.cell-1.example.com');
  assert.equal(credentialProvider(LEGACY_KEY, undefined).getCacheEndpoint(), 'cache.cell-9.example.com');
  assert.equal(localCredentialProvider(), null);
  process.env.MOMENTO_LOCAL = '127.0.0.1:8080';
  const local = localCredentialProvider();
  assert.ok(local !== null);
  assert.equal(local.getCacheEndpoint(), '127.0.0.1:8080');
  assert.equal(local.isEndpointSecure(), false);
  assert.equal(local.getControlEndpoint(), '127.0.0.1:8080');
  assert.equal(local.getAuthToken(), '');
  process.env.MOMENTO_LOCAL = '8080';
  assert.throws(() => localCredentialProvider(), MomentoUnavailable);
  delete process.env.MOMENTO_LOCAL;
  assert.throws(() => credentialProvider('not-a-key', undefined), MomentoUnavailable);
});

test('MOMENTO_LOCAL needs no secret', async () => {
  process.env.MOMENTO_LOCAL = '127.0.0.1:8080';
  world.acceptedKey = '';
  assert.deepEqual([(await invoke('l')).cache, (await invoke('l')).cache], ['miss', 'hit']);
  assert.equal(world.reads, 0);
  delete process.env.MOMENTO_LOCAL;
});

test('MomentoUnavailable logs under its own name', async () => {
  delete process.env.MOMENTO_SECRET_ARN;
  delete process.env.MOMENTO_SECRET_NAME;
  resetForTests();
  assert.equal((await invoke('f')).cache, 'error');
  assert.match(output.at(-1)?.error ?? '', /^MomentoUnavailable: neither MOMENTO_SECRET_ARN nor MOMENTO_SECRET_NAME is set$/);
  assert.equal(String(new MomentoUnavailable('x')), 'MomentoUnavailable: x');
});

test('the secret name is read while the ARN is empty', () => {
  process.env.MOMENTO_SECRET_ARN = '';
  process.env.MOMENTO_SECRET_NAME = 'momento/demo/api-key';
  assert.equal(secretId(), 'momento/demo/api-key');
  process.env.MOMENTO_SECRET_ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:x-AbCdEf';
  assert.equal(secretId(), 'arn:aws:secretsmanager:us-east-1:123456789012:secret:x-AbCdEf');
  delete process.env.MOMENTO_SECRET_NAME;
});

function withClock(): { now: number } {
  const clock = { now: 1_000_000 };
  resetForTests({ ...fakes, now: () => clock.now });
  return clock;
}

async function openTheBreaker(): Promise<void> {
  assert.equal((await invoke('k')).cache, 'miss');
  world.clients[0].failWith = new TimeoutError('deadline exceeded');
  for (let i = 0; i < BREAKER_THRESHOLD; i += 1) assert.equal((await invoke('k')).cache, 'error');
  assert.ok(breakerOpen());
}

test('the breaker skips Momento after consecutive timeouts', async () => {
  withClock();
  await openTheBreaker();
  const gets = world.gets;
  for (let i = 0; i < 5; i += 1) assert.deepEqual(await invoke('k'), { item: await loadFromSource('k'), cache: 'error' });
  assert.equal(world.gets, gets);
  assert.ok(output.slice(-5).every((line) => line.error?.startsWith('CircuitOpen:')));
});

test('after the cool-down one probe closes the breaker', async () => {
  const clock = withClock();
  await openTheBreaker();
  const gets = world.gets;
  clock.now += BREAKER_COOL_DOWN_MS / 2;
  assert.equal((await invoke('k')).cache, 'error');
  assert.equal(world.gets, gets);
  world.clients[0].failWith = null;
  clock.now += BREAKER_COOL_DOWN_MS;
  assert.equal((await invoke('k')).cache, 'hit');
  assert.ok(!breakerOpen());
  assert.equal((await invoke('k')).cache, 'hit');
  assert.equal(world.gets, gets + 2);
});

test('a failed probe opens the breaker for another cool-down', async () => {
  const clock = withClock();
  await openTheBreaker();
  const gets = world.gets;
  clock.now += BREAKER_COOL_DOWN_MS;
  assert.equal((await invoke('k')).cache, 'error');
  assert.equal(world.gets, gets + 1);
  assert.equal((await invoke('k')).cache, 'error');
  assert.equal(world.gets, gets + 1);
  assert.ok(breakerOpen());
});

test('other errors do not open the breaker', async () => {
  await invoke('m');
  world.clients[0].failWith = new PermissionError('not allowed');
  for (let i = 0; i < BREAKER_THRESHOLD + 2; i += 1) assert.equal((await invoke('m')).cache, 'error');
  assert.ok(!breakerOpen());
});

test('prepareMomentoClient creates the client during INIT, and never throws', async () => {
  await prepareMomentoClient();
  assert.ok(momentoClientReady());
  assert.equal(world.reads, 1);
  assert.equal((await invoke('i')).cache, 'miss');
  assert.equal(world.clients.length, 1);

  let fail = true;
  resetForTests({
    ...fakes,
    readSecretString: async () => {
      if (fail) throw new Error('secrets manager is slow');
      return fakes.readSecretString();
    },
  });
  await prepareMomentoClient(); // no exception
  assert.ok(!momentoClientReady());
  fail = false;
  assert.equal((await invoke('j')).cache, 'miss'); // not held back by the INIT failure
});

test('MOMENTO_INIT_CLIENT=eager creates the client at import', () => {
  const code = "const m = await import('./src/momentoClient.ts'); console.log(m.momentoClientReady());";
  for (const [mode, expected] of [['eager', 'true'], ['lazy', 'false']]) {
    // process.execArgv: the TypeScript loader (tsx) when the tests run from the .ts sources
    const result = spawnSync(process.execPath, [...process.execArgv, '--input-type=module', '-e', code], {
      env: { ...process.env, MOMENTO_INIT_CLIENT: mode, MOMENTO_LOCAL: '127.0.0.1:9' },
      encoding: 'utf8',
    });
    assert.equal(result.stdout.trim(), expected, result.stderr);
  }
});
