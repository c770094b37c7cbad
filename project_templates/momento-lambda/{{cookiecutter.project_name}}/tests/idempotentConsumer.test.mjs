// Unit tests of the idempotent SQS consumer (src/idempotentConsumer.ts). They run offline with
// the in-memory fakes of tests/fakes.ts, whose setIfAbsent stores a key only when it is absent,
// as Momento's does; the client module's own tests are in tests/momentoClient.test.ts.
//
//     npm install && npm test

import assert from 'node:assert/strict';
import { afterEach, beforeEach, test } from 'node:test';
import { TimeoutError } from '@gomomento/sdk';

import { resetForTests } from '../src/momentoClient.mjs';
import {
  DONE_TTL_ENV,
  KEY_FIELD_ENV,
  TTL_ENV,
  handler,
  idempotencyKey,
  keyHash,
  settings,
  work,
} from '../src/idempotentConsumer.mjs';
import { output, useFakes, world } from './fakes.mjs';

useFakes();

const realWork = work.processMessage;
let processed = [];

beforeEach(() => {
  for (const name of [KEY_FIELD_ENV, TTL_ENV, DONE_TTL_ENV]) delete process.env[name];
  processed = [];
  work.processMessage = async (message) => {
    processed.push(message.messageId ?? '');
  };
});

afterEach(() => {
  work.processMessage = realWork;
});

function record(id, body = { orderId: id }) {
  return { messageId: id, body: typeof body === 'string' ? body : JSON.stringify(body), eventSource: 'aws:sqs' };
}

function batch(...records) {
  return { Records: records };
}

const failed = (response) =>
  response.batchItemFailures.map((f) => f.itemIdentifier);

const outcomes = () => output.filter((line) => line.event === 'idempotent-consumer').map((line) => line.outcome);

test('a message delivered three times is processed once', async () => {
  for (let i = 0; i < 3; i += 1) assert.deepEqual(failed(await handler(batch(record('m-1')))), []);
  assert.deepEqual(processed, ['m-1']);
  assert.deepEqual(outcomes(), ['processed', 'duplicate', 'duplicate']);
  assert.equal(world.reads, 1);
  assert.equal(world.clients.length, 1);
});

test('a batch with duplicates inside it processes each message once', async () => {
  const response = await handler(batch(record('a'), record('b'), record('a'), record('c'), record('b')));
  assert.deepEqual(failed(response), []);
  assert.deepEqual(processed, ['a', 'b', 'c']);
});

test('a failure releases the claim and the retry processes the message', async () => {
  let calls = 0;
  work.processMessage = async (message) => {
    calls += 1;
    if (calls === 1) throw new Error('the database is down');
    processed.push(message.messageId ?? '');
  };
  assert.deepEqual(failed(await handler(batch(record('x'), record('y')))), ['x']);
  assert.equal(output.find((line) => line.outcome === 'failed')?.released, true);
  assert.deepEqual(failed(await handler(batch(record('x')))), []);
  assert.deepEqual(processed, ['y', 'x']);
  assert.deepEqual(failed(await handler(batch(record('x')))), []); // a third delivery: a duplicate
  assert.equal(calls, 3);
});

test('a copy arriving while the first is in flight is retried later', async () => {
  let release = () => {};
  const held = new Promise((resolve) => {
    release = resolve;
  });
  work.processMessage = async (message) => {
    await held;
    processed.push(message.messageId ?? '');
  };
  const first = handler(batch(record('slow')));
  await new Promise((resolve) => setTimeout(resolve, 20));
  assert.deepEqual(failed(await handler(batch(record('slow')))), ['slow']); // in flight: retry later
  release();
  assert.deepEqual(failed(await first), []);
  assert.deepEqual(failed(await handler(batch(record('slow')))), []); // now a duplicate
  assert.deepEqual(processed, ['slow']);
  assert.ok(outcomes().includes('in-flight'));
});

test('concurrent deliveries from 4 callers process each message once', async () => {
  const ids = Array.from({ length: 25 }, (_, i) => `m-${i}`);
  const callers = Array.from({ length: 4 }, () => handler(batch(...ids.map((id) => record(id)))));
  const failures = (await Promise.all(callers)).flatMap(failed);
  // each id: processed once; its other copies are duplicates or in flight (retried later)
  assert.deepEqual([...processed].sort(), [...ids].sort());
  for (const id of failures) assert.ok(ids.includes(id));
});

test('a body field makes messages with the same value duplicates', async () => {
  process.env[KEY_FIELD_ENV] = 'order.id';
  await handler(batch(record('1', { order: { id: 42 } }), record('2', { order: { id: 42 } }), record('3', { order: { id: 7 } })));
  assert.deepEqual(processed, ['1', '3']);
  const stored = [...world.store.keys()].join(' ');
  assert.ok(stored.includes(keyHash('42')) && !stored.includes(':42'));
});

for (const body of ['not json', '{}', '{"order": {}}']) {
  test(`a message without the key field is failed, not processed: ${body}`, async () => {
    process.env[KEY_FIELD_ENV] = 'order.id';
    assert.deepEqual(failed(await handler(batch(record('bad', body)))), ['bad']);
    assert.deepEqual(processed, []);
    assert.equal(outcomes()[0], 'failed');
  });
}

test('when Momento refuses the key, the message is retried, not processed', async () => {
  world.acceptedKey = 'another key';
  assert.deepEqual(failed(await handler(batch(record('r')))), ['r']);
  assert.deepEqual(processed, []);
  assert.equal(output.at(-1)?.outcome, 'unclaimed');
  assert.equal(output.at(-1)?.error, 'AUTHENTICATION_ERROR');
});

test('when Momento times out, the message is retried, not processed', async () => {
  await handler(batch(record('warm')));
  world.clients[0].failWith = new TimeoutError('slow');
  assert.deepEqual(failed(await handler(batch(record('t')))), ['t']);
  assert.deepEqual(processed, ['warm']);
  assert.match(String(output.at(-1)?.error), /TIMEOUT_ERROR/);
});

test('an unreadable secret retries every message', async () => {
  resetForTests({
    readSecretString: async () => {
      throw new Error('AccessDeniedException');
    },
  });
  assert.deepEqual(failed(await handler(batch(record('a'), record('b')))), ['a', 'b']);
  assert.deepEqual(processed, []);
});

test('the claim outlives the visibility timeout and done is kept longer', async () => {
  let claimTtl;
  work.processMessage = async () => {
    claimTtl = [...world.ttls.values()][0];
  };
  await handler(batch(record('ttl')));
  assert.equal(claimTtl, 90); // > the queue's 60 s visibility timeout
  assert.deepEqual([...world.ttls.values()], [86_400]); // then "done", kept a day
});

test('a claim never expires before the invocation could end', async () => {
  let claimTtl;
  work.processMessage = async () => {
    claimTtl = [...world.ttls.values()][0];
  };
  process.env[TTL_ENV] = '10';
  await handler(batch(record('long')), { getRemainingTimeInMillis: () => 300_000 });
  assert.equal(claimTtl, 305);
});

for (const [name, value] of [
  [TTL_ENV, 'ninety'],
  [TTL_ENV, '0'],
  [DONE_TTL_ENV, '90000'],
  [DONE_TTL_ENV, '30'],
]) {
  test(`a bad setting fails loudly: ${name}=${value}`, () => {
    process.env[name] = value;
    assert.throws(() => settings(), (error) => error.message.includes(name));
  });
}

test('an empty event acknowledges nothing', async () => {
  assert.deepEqual(await handler({}), { batchItemFailures: [] });
  assert.equal(idempotencyKey(record('id-1')), 'id-1');
});
