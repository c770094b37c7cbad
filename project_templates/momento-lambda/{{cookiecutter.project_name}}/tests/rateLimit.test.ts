// Unit tests of the rate-limited API (src/rateLimit.ts). They run offline with the in-memory
// fakes of tests/fakes.ts, whose increment is atomic and keeps the TTL it is given, as
// Momento's does; the client module's own tests are in tests/momentoClient.test.ts.
//
//     npm install && npm test

import assert from 'node:assert/strict';
import { afterEach, beforeEach, test } from 'node:test';
import { TimeoutError } from '@gomomento/sdk';

import { resetForTests } from '../src/momentoClient.ts';
import { FAIL_ENV, MAX_REQUESTS_ENV, WINDOW_ENV, clientId, clock, handler, loadItem, settings } from '../src/rateLimit.ts';
import type { ApiEvent, HttpResponse } from '../src/rateLimit.ts';
import { output, useFakes, world } from './fakes.ts';

useFakes();

const realNow = clock.now;
let now = 1_800_000_030_000; // mid-window (ms), so no test straddles two windows

beforeEach(() => {
  process.env[MAX_REQUESTS_ENV] = '3';
  process.env[WINDOW_ENV] = '60';
  delete process.env[FAIL_ENV];
  now = 1_800_000_030_000;
  clock.now = () => now;
});

afterEach(() => {
  clock.now = realNow;
  for (const name of [MAX_REQUESTS_ENV, WINDOW_ENV, FAIL_ENV]) delete process.env[name];
});

/** An HTTP API (payload 2.0) request for GET /items/{id}. */
function event(ip = '203.0.113.7', apiKey?: string, itemId = 'demo'): ApiEvent {
  return {
    pathParameters: { id: itemId },
    headers: apiKey ? { 'x-api-key': apiKey } : {},
    requestContext: { http: { sourceIp: ip } },
  };
}

async function statuses(count: number, request: ApiEvent = event()): Promise<HttpResponse[]> {
  const responses: HttpResponse[] = [];
  for (let i = 0; i < count; i += 1) responses.push(await handler(request, { awsRequestId: `req-${i}` }));
  return responses;
}

test('N requests are allowed, then 429 with Retry-After', async () => {
  const responses = await statuses(5);
  assert.deepEqual(responses.map((r) => r.statusCode), [200, 200, 200, 429, 429]);
  assert.deepEqual(responses.map((r) => r.headers['x-ratelimit-remaining']), ['2', '1', '0', '0', '0']);
  assert.equal(responses[3].headers['retry-after'], '30'); // the window ends 30 s after "now"
  assert.deepEqual(JSON.parse(responses[0].body), { item: await loadItem('demo') });
  assert.deepEqual(output.map((line) => line.count), [1, 2, 3, 4, 5]);
  assert.deepEqual(output.map((line) => line.allowed), [true, true, true, false, false]);
  assert.ok(output.every((line) => line.event === 'rate-limit' && line.latency_ms >= 0));
  assert.equal(world.reads, 1);
  assert.equal(world.clients.length, 1);
});

test('each client has its own count, and the API key is never stored or logged', async () => {
  const secretKey = 'ak-live-0123456789abcdef';
  assert.deepEqual((await statuses(4, event('198.51.100.1'))).map((r) => r.statusCode), [200, 200, 200, 429]);
  assert.equal((await handler(event('198.51.100.2'))).statusCode, 200);
  // the same IP with an API key is another client (the key wins)
  assert.equal((await handler(event('198.51.100.1', secretKey))).statusCode, 200);
  const stored = [...world.store.keys()].join(' ');
  assert.ok(!stored.includes(secretKey) && !stored.includes('198.51.100'));
  assert.ok(!JSON.stringify(output).includes(secretKey));
});

test('a new window starts a new count', async () => {
  await statuses(3);
  assert.equal((await handler(event())).statusCode, 429);
  now += 60_000;
  assert.equal((await handler(event())).statusCode, 200);
});

test('concurrent callers get exactly the limit', async () => {
  process.env[MAX_REQUESTS_ENV] = '40';
  const callers = Array.from({ length: 4 }, () => statuses(25));
  const codes = (await Promise.all(callers)).flat().map((r) => r.statusCode);
  assert.equal(codes.filter((code) => code === 200).length, 40);
  assert.equal(codes.filter((code) => code === 429).length, 60);
});

test('the counter expires with its window', async () => {
  await handler(event());
  assert.deepEqual([...world.ttls.values()], [30]); // the 30 s left in the window, not a full window
});

for (const [mode, status] of [['open', 200], ['closed', 503]] as const) {
  test(`when Momento refuses, RATE_LIMIT_FAIL=${mode} answers ${status}`, async () => {
    process.env[FAIL_ENV] = mode;
    await handler(event());
    world.acceptedKey = 'another key'; // Momento now refuses the key
    const response = await handler(event());
    assert.equal(response.statusCode, status);
    assert.equal('retry-after' in response.headers, status === 503);
    const line = output.at(-1);
    assert.equal(line?.fail, mode);
    assert.equal(line?.error, 'AUTHENTICATION_ERROR');
    assert.ok(!('count' in (line ?? {})));
  });
}

test('a timeout fails open by default', async () => {
  await handler(event());
  world.clients[0].failWith = new TimeoutError('slow');
  assert.equal((await handler(event())).statusCode, 200);
  assert.match(output.at(-1)?.error ?? '', /TIMEOUT_ERROR/);
});

test('an unreadable secret fails open by default', async () => {
  resetForTests({
    readSecretString: async () => {
      throw new Error('AccessDeniedException');
    },
  });
  assert.equal((await handler(event())).statusCode, 200);
});

for (const [name, value] of [
  [MAX_REQUESTS_ENV, 'ten'],
  [MAX_REQUESTS_ENV, '0'],
  [WINDOW_ENV, '90000'],
  [FAIL_ENV, 'sometimes'],
]) {
  test(`a bad setting fails loudly: ${name}=${value}`, () => {
    process.env[name] = value;
    assert.throws(() => settings(), (error: Error) => error.message.startsWith(name));
  });
}

test('the client is the REST API source IP too', () => {
  const rest: ApiEvent = { requestContext: { identity: { sourceIp: '192.0.2.9' } } };
  assert.equal(clientId(rest), clientId(event('192.0.2.9')));
  assert.equal(clientId({}), clientId({ headers: null }));
});
