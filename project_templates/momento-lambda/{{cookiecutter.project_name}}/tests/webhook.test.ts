// Unit tests of the webhook receiver (src/webhook.ts). They run offline with the in-memory fakes
// of tests/fakes.ts (the replay check counts with the fake cache's increment) and a signing
// secret read from memory.
//
//     npm install && npm test

import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { afterEach, beforeEach, test } from 'node:test';

import { resetForTests } from '../src/momentoClient.ts';
import { MAX_AGE_ENV, SECRET_ENV, SECRET_FIELD, clock, handler, parseSigningSecret, resetSigningSecret, work } from '../src/webhook.ts';
import type { Delivery, UrlEvent } from '../src/webhook.ts';
import { fakes, output, useFakes, world } from './fakes.ts';

useFakes();

const SIGNING_SECRET = 'whsec-unit-test-signing-secret';
const NOW = 1_800_000_000_000;
const realNow = clock.now;
const realWork = work.handleMessage;
let secretReads: string[] = [];
let handled: Delivery[] = [];

beforeEach(() => {
  process.env[SECRET_ENV] = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:hook-AbCdEf';
  delete process.env[MAX_AGE_ENV];
  secretReads = [];
  handled = [];
  resetForTests({
    ...fakes,
    getSecretString: async (secret: string) => {
      secretReads.push(secret);
      return JSON.stringify({ [SECRET_FIELD]: SIGNING_SECRET });
    },
  });
  resetSigningSecret();
  clock.now = () => NOW;
  work.handleMessage = async (message: Delivery) => {
    handled.push(message);
  };
});

afterEach(() => {
  clock.now = realNow;
  work.handleMessage = realWork;
  resetSigningSecret();
});

function delivery(text = 'hello', publishedMs = NOW - 2_000, sequence = 1): Buffer {
  return Buffer.from(
    JSON.stringify({
      cache: 'unit-cache', topic: 'orders', event_timestamp: publishedMs, publish_timestamp: publishedMs,
      topic_sequence_number: sequence, token_id: '', text,
    }),
  );
}

function sign(body: Buffer, secret = SIGNING_SECRET): string {
  return createHmac('sha3-256', secret).update(body).digest('hex');
}

function event(body: Buffer, signature?: string, base64 = false): UrlEvent {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (signature !== undefined) headers['momento-signature'] = signature;
  return { headers, body: base64 ? body.toString('base64') : body.toString('utf8'), isBase64Encoded: base64 };
}

const webhookLines = () => output.filter((line) => line.event === 'webhook');

test('a signed fresh delivery is handled', async () => {
  const body = delivery('order 7 shipped');
  assert.equal((await handler(event(body, sign(body)))).statusCode, 200);
  assert.deepEqual(handled.map((m) => m.text), ['order 7 shipped']);
  assert.equal(webhookLines().at(-1)?.accepted, true);
  assert.ok(!JSON.stringify(output).includes(SIGNING_SECRET));
});

test('a base64 body is verified over its raw bytes', async () => {
  const body = delivery('ünïcode');
  assert.equal((await handler(event(body, sign(body), true))).statusCode, 200);
});

for (const [name, make] of [
  ['no header', (body: Buffer) => event(body)],
  ['forged', (body: Buffer) => event(body, sign(body, 'guessed-secret'))],
  ['tampered', (body: Buffer) => event(Buffer.from(body.toString().replace('hello', 'HELLO')), sign(body))],
  ['not hex', (body: Buffer) => event(body, 'zz'.repeat(32))],
] as const) {
  test(`a forged request is 401 and handles nothing: ${name}`, async () => {
    const response = await handler(make(delivery()));
    assert.equal(response.statusCode, 401);
    assert.deepEqual(JSON.parse(response.body), { message: 'Unauthorized' });
    assert.deepEqual(handled, []);
  });
}

for (const published of [NOW - 61_000, NOW - 3_600_000, NOW + 30_000]) {
  test(`a stale or future delivery is 401 (${(published - NOW) / 1000} s)`, async () => {
    const body = delivery('old', published);
    assert.equal((await handler(event(body, sign(body)))).statusCode, 401);
  });
}

test('a replayed delivery is 401', async () => {
  const body = delivery();
  assert.equal((await handler(event(body, sign(body)))).statusCode, 200);
  assert.equal((await handler(event(body, sign(body)))).statusCode, 401);
  assert.equal(webhookLines().at(-1)?.reason, 'replayed');
  const other = delivery('hello', NOW - 2_000, 2); // another delivery is not a replay
  assert.equal((await handler(event(other, sign(other)))).statusCode, 200);
  assert.equal(handled.length, 2);
});

test('a failed handler releases the delivery so its retry runs', async () => {
  let calls = 0;
  work.handleMessage = async (message: Delivery) => {
    calls += 1;
    if (calls === 1) throw new Error('downstream is down');
    handled.push(message);
  };
  const body = delivery();
  assert.equal((await handler(event(body, sign(body)))).statusCode, 500);
  assert.equal((await handler(event(body, sign(body)))).statusCode, 200);
  assert.equal((await handler(event(body, sign(body)))).statusCode, 401);
  assert.equal(calls, 2);
});

test('when Momento cannot check for replays nothing is handled', async () => {
  world.acceptedKey = 'another key';
  const body = delivery();
  assert.equal((await handler(event(body, sign(body)))).statusCode, 503);
  assert.equal(webhookLines().at(-1)?.reason, 'replay check unavailable');
  assert.deepEqual(handled, []);
});

test('the signing secret is read once', async () => {
  for (let n = 0; n < 3; n += 1) {
    const body = delivery('x', NOW - 1_000, n);
    await handler(event(body, sign(body)));
  }
  assert.equal(secretReads.length, 1);
});

test('an empty signing secret is refused', () => {
  for (const text of ['', '{}', '{"other": "x"}', '  ']) assert.throws(() => parseSigningSecret(text));
  assert.equal(parseSigningSecret(' plain-secret\n').toString(), 'plain-secret');
});
