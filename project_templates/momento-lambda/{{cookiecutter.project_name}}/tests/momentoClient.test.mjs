// Unit tests of the Momento client module (src/momentoClient.ts): one client and one secret read
// per execution environment, every secret shape, key rotation, deadlines, the circuit breaker,
// INIT-time creation. They run offline with the in-memory fakes of tests/fakes.ts.
//
//     npm install && npm test

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { CacheGet, PermissionError, TimeoutError } from '@gomomento/sdk';

import {
  BREAKER_COOL_DOWN_MS,
  BREAKER_THRESHOLD,
  MomentoUnavailable,
  breakerOpen,
  cacheName,
  callMomento,
  credentialProvider,
  errorCodeOf,
  localCredentialProvider,
  momentoClientReady,
  prepareMomentoClient,
  parseSecret,
  resetForTests,
  secretId,
  withDeadline,
} from '../src/momentoClient.mjs';
import { LEGACY_KEY, SHAPES, V2_KEY, fakes, jwt, keyFor, useFakes, world } from './fakes.mjs';

useFakes();

let lastError = '';

/** One use of the client as a handler makes it: get, and set on a miss. 'error' when Momento
 * answers an error or the call throws (lastError says which). */
async function use(key) {
  try {
    const response = await callMomento((client) => client.get(cacheName(), key));
    if (response instanceof CacheGet.Hit) return 'hit';
    if (response instanceof CacheGet.Miss) {
      await callMomento((client) => client.set(cacheName(), key, 'value'));
      return 'miss';
    }
    lastError = String(errorCodeOf(response));
  } catch (error) {
    lastError = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  }
  return 'error';
}

test('one client, one secret read', async () => {
  assert.deepEqual([await use('a'), await use('a'), await use('b')], ['miss', 'hit', 'miss']);
  assert.equal(world.reads, 1);
  assert.equal(world.clients.length, 1);
});

test('an unreadable secret is not retried on every request', async () => {
  let calls = 0;
  resetForTests({
    readSecretString: async () => {
      calls += 1;
      throw new Error('secrets manager is slow');
    },
  });
  assert.equal(await use('c'), 'error');
  assert.equal(await use('c'), 'error');
  assert.equal(calls, 1);
});

test('a rotated key is picked up without a redeploy', async () => {
  await use('d');
  const newKey = jwt({ t: 'g', id: 'rotated' });
  world.secret = JSON.stringify({ MOMENTO_API_KEY: newKey, MOMENTO_ENDPOINT: 'cell-1.example.com' });
  world.acceptedKey = newKey;
  assert.equal(await use('d'), 'hit');
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
    assert.deepEqual([await use('s'), await use('s')], ['miss', 'hit']);
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
    assert.equal(await use('r'), 'miss');
    const newKey = keyFor(to, 'after');
    world.secret = to.encode(newKey);
    world.acceptedKey = newKey; // Momento rejects the old key from now on
    assert.equal(await use('r'), 'hit');
    assert.equal(world.reads, 2);
    assert.equal(world.clients.length, 2);
    assert.equal(world.clients[1].apiKey, newKey);
  });
}

test('withDeadline gives up on an operation that never settles, and aborts its signal', async () => {
  let seen;
  const started = Date.now();
  await assert.rejects(
    withDeadline(50, 'reading the Momento secret', (signal) => {
      seen = signal;
      return new Promise(() => {}); // ignores the signal on purpose
    }),
    (error) => error.name === 'TimeoutError' && error.message === 'reading the Momento secret took longer than 50 ms',
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
  assert.deepEqual([await use('l'), await use('l')], ['miss', 'hit']);
  assert.equal(world.reads, 0);
  delete process.env.MOMENTO_LOCAL;
});

test('a missing secret setting is MomentoUnavailable, named as such', async () => {
  delete process.env.MOMENTO_SECRET_ARN;
  delete process.env.MOMENTO_SECRET_NAME;
  resetForTests();
  assert.equal(await use('f'), 'error');
  assert.match(lastError, /^MomentoUnavailable: neither MOMENTO_SECRET_ARN nor MOMENTO_SECRET_NAME is set$/);
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

function withClock() {
  const clock = { now: 1_000_000 };
  resetForTests({ ...fakes, now: () => clock.now });
  return clock;
}

async function openTheBreaker() {
  assert.equal(await use('k'), 'miss');
  world.clients[0].failWith = new TimeoutError('deadline exceeded');
  for (let i = 0; i < BREAKER_THRESHOLD; i += 1) assert.equal(await use('k'), 'error');
  assert.ok(breakerOpen());
}

test('the breaker skips Momento after consecutive timeouts', async () => {
  withClock();
  await openTheBreaker();
  const gets = world.gets;
  for (let i = 0; i < 5; i += 1) {
    assert.equal(await use('k'), 'error');
    assert.match(lastError, /^CircuitOpen:/);
  }
  assert.equal(world.gets, gets);
});

test('after the cool-down one probe closes the breaker', async () => {
  const clock = withClock();
  await openTheBreaker();
  const gets = world.gets;
  clock.now += BREAKER_COOL_DOWN_MS / 2;
  assert.equal(await use('k'), 'error');
  assert.equal(world.gets, gets);
  world.clients[0].failWith = null;
  clock.now += BREAKER_COOL_DOWN_MS;
  assert.equal(await use('k'), 'hit');
  assert.ok(!breakerOpen());
  assert.equal(await use('k'), 'hit');
  assert.equal(world.gets, gets + 2);
});

test('a failed probe opens the breaker for another cool-down', async () => {
  const clock = withClock();
  await openTheBreaker();
  const gets = world.gets;
  clock.now += BREAKER_COOL_DOWN_MS;
  assert.equal(await use('k'), 'error');
  assert.equal(world.gets, gets + 1);
  assert.equal(await use('k'), 'error');
  assert.equal(world.gets, gets + 1);
  assert.ok(breakerOpen());
});

test('other errors do not open the breaker', async () => {
  await use('m');
  world.clients[0].failWith = new PermissionError('not allowed');
  for (let i = 0; i < BREAKER_THRESHOLD + 2; i += 1) assert.equal(await use('m'), 'error');
  assert.ok(!breakerOpen());
});

test('prepareMomentoClient creates the client during INIT, and never throws', async () => {
  await prepareMomentoClient();
  assert.ok(momentoClientReady());
  assert.equal(world.reads, 1);
  assert.equal(await use('i'), 'miss');
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
  assert.equal(await use('j'), 'miss'); // not held back by the INIT failure
});

test('MOMENTO_INIT_CLIENT=eager creates the client at import', () => {
  const code = "const m = await import('./src/momentoClient.mjs'); console.log(m.momentoClientReady());";
  for (const [mode, expected] of [['eager', 'true'], ['lazy', 'false']]) {
    // process.execArgv: the TypeScript loader (tsx) when the tests run from the .ts sources
    const result = spawnSync(process.execPath, [...process.execArgv, '--input-type=module', '-e', code], {
      env: { ...process.env, MOMENTO_INIT_CLIENT: mode, MOMENTO_LOCAL: '127.0.0.1:9' },
      encoding: 'utf8',
    });
    assert.equal(result.stdout.trim(), expected, result.stderr);
  }
});
