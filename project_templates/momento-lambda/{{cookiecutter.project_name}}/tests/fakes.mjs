// The in-memory fakes every test file gives the client module: a secret reader and a Momento
// client that answer with the SDK's own response types (a miss, a hit, an error), and a world
// that counts what the code under test did (secret reads, clients made, gets, increments).

import { afterEach, beforeEach } from 'node:test';
import { AuthenticationError, CacheDelete, CacheGet, CacheIncrement, CacheSet, CacheSetIfAbsent } from '@gomomento/sdk';

import { resetForTests } from '../src/momentoClient.mjs';

export function jwt(claims) {
  const part = (document) => Buffer.from(JSON.stringify(document)).toString('base64url');
  return `${part({ alg: 'HS256', typ: 'JWT' })}.${part(claims)}.c2lnbmF0dXJl`;
}

export const V2_KEY = jwt({ t: 'g', id: 'unit-test' });
export const LEGACY_KEY = jwt({ sub: 'unit-test', c: 'cache.cell-9.example.com', cp: 'control.cell-9.example.com' });

// Every secret shape the module accepts (the secret contract, its older shapes, and the shape
// Momento's key-refresh Lambda keeps up to date).
export const SHAPES = [
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

export function keyFor(shape, tag) {
  return shape.kind === 'v2' ? jwt({ t: 'g', id: tag }) : jwt({ sub: tag, c: 'cache.cell-9.example.com', cp: 'control.cell-9.example.com' });
}

/** One JSON log line of a handler. */

export class FakeCache {
  world;
  apiKey;
  failWith;

  constructor(world, apiKey) {
    this.world = world;
    this.apiKey = apiKey;
    this.failWith = null;
  }

  error(kind) {
    if (this.failWith) return new kind.Error(this.failWith);
    if (this.apiKey !== this.world.acceptedKey) return new kind.Error(new AuthenticationError('rejected'));
    return null;
  }

  async get(cache, key) {
    this.world.gets += 1;
    const error = this.error(CacheGet);
    if (error) return error;
    const value = this.world.store.get(`${cache}/${key}`);
    return value === undefined ? new CacheGet.Miss() : new CacheGet.Hit(new TextEncoder().encode(value));
  }

  async set(cache, key, value, options = {}) {
    const error = this.error(CacheSet);
    if (error) return error;
    this.world.store.set(`${cache}/${key}`, value);
    if (options.ttl !== undefined) this.world.ttls.set(`${cache}/${key}`, options.ttl);
    return new CacheSet.Success();
  }

  // Momento's conditional set: of concurrent callers, exactly one stores a key that is absent.
  async setIfAbsent(cache, key, value, options = {}) {
    const error = this.error(CacheSetIfAbsent);
    if (error) return error;
    if (this.world.store.has(`${cache}/${key}`)) return new CacheSetIfAbsent.NotStored();
    this.world.store.set(`${cache}/${key}`, value);
    if (options.ttl !== undefined) this.world.ttls.set(`${cache}/${key}`, options.ttl);
    return new CacheSetIfAbsent.Stored();
  }

  async delete(cache, key) {
    const error = this.error(CacheDelete);
    if (error) return error;
    this.world.store.delete(`${cache}/${key}`);
    return new CacheDelete.Success();
  }

  // Momento's increment: atomic, creates the item at 0 + amount, sets the TTL it is given.
  async increment(cache, key, amount = 1, options = {}) {
    const error = this.error(CacheIncrement);
    if (error) return error;
    const value = Number(this.world.store.get(`${cache}/${key}`) ?? '0') + amount;
    this.world.store.set(`${cache}/${key}`, String(value));
    if (options.ttl !== undefined) this.world.ttls.set(`${cache}/${key}`, options.ttl);
    return new CacheIncrement.Success(value);
  }

  close() {}
}

// The secret reader and client factory the tests give the module (world is per test).
export const fakes = {
  readSecretString: async () => {
    world.reads += 1;
    return world.secret;
  },
  newClient: async (provider) => {
    const client = new FakeCache(world, provider.getAuthToken());
    world.clients.push(client);
    return client;
  },
};

export let world;
export let output;
const realWrite = process.stdout.write;

/** Give every test of the calling file a fresh world, the fakes, and its log lines in `output`. */
export function useFakes() {
  beforeEach(() => {
    process.env.MOMENTO_SECRET_ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:unit-AbCdEf';
    process.env.MOMENTO_CACHE_NAME = 'unit-cache';
    delete process.env.MOMENTO_LOCAL;
    world = {
      secret: JSON.stringify({ MOMENTO_API_KEY: V2_KEY, MOMENTO_ENDPOINT: 'cell-1.example.com' }),
      acceptedKey: V2_KEY,
      store: new Map(),
      ttls: new Map(),
      reads: 0,
      gets: 0,
      clients: [],
    };
    resetForTests(fakes);
    output = [];
    process.stdout.write = (chunk) => {
      if (String(chunk).startsWith('{')) output.push(JSON.parse(String(chunk)));
      else realWrite.call(process.stdout, chunk);
      return true;
    };
  });

  afterEach(() => {
    process.stdout.write = realWrite;
    resetForTests();
  });
}
