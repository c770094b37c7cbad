// Unit tests of the cache-aside handler (src/handler.ts). They run offline with the in-memory
// fakes of tests/fakes.ts; the client module's own tests are in tests/momentoClient.test.ts.
//
//     npm install && npm test

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TimeoutError } from '@gomomento/sdk';

import { handler, loadFromSource } from '../src/handler.ts';
import { BREAKER_THRESHOLD, resetForTests } from '../src/momentoClient.ts';
import { fakes, output, useFakes, world } from './fakes.ts';

useFakes();

interface Body {
  item: unknown;
  cache: string;
}

async function invoke(id = 'demo'): Promise<Body> {
  const response = await handler({ pathParameters: { id } }, { awsRequestId: 'req-1' });
  assert.equal(response.statusCode, 200);
  assert.equal(response.headers['x-cache'], (JSON.parse(response.body) as Body).cache);
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

test('an unreadable secret falls back to the source', async () => {
  resetForTests({
    readSecretString: async () => {
      throw new Error('secrets manager is slow');
    },
  });
  assert.deepEqual(await invoke('c'), { item: await loadFromSource('c'), cache: 'error' });
  assert.match(output.at(-1)?.error ?? '', /secrets manager is slow/);
});

test('MomentoUnavailable logs under its own name', async () => {
  delete process.env.MOMENTO_SECRET_ARN;
  delete process.env.MOMENTO_SECRET_NAME;
  resetForTests();
  assert.equal((await invoke('f')).cache, 'error');
  assert.match(output.at(-1)?.error ?? '', /^MomentoUnavailable: neither MOMENTO_SECRET_ARN nor MOMENTO_SECRET_NAME is set$/);
});

test('while the breaker is open the source answers, without calling Momento', async () => {
  resetForTests({ ...fakes, now: () => 1_000_000 });
  await invoke('k');
  world.clients[0].failWith = new TimeoutError('deadline exceeded');
  for (let i = 0; i < BREAKER_THRESHOLD; i += 1) await invoke('k');
  const gets = world.gets;
  assert.deepEqual(await invoke('k'), { item: await loadFromSource('k'), cache: 'error' });
  assert.equal(world.gets, gets);
  assert.match(output.at(-1)?.error ?? '', /^CircuitOpen:/);
});
