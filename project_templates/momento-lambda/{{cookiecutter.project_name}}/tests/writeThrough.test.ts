// Unit tests of the write-through pattern: the read API (src/writeThrough.ts) and the stream
// function (src/writeThroughStream.ts). They run offline: the cache is the in-memory fake of
// tests/fakes.ts (its setIfAbsent stores a key only when it is absent, as Momento's does), and the
// table is FakeTable below, an in-memory DynamoDB that answers GetItemCommand and keeps a stream
// of its changes (INSERT / MODIFY / REMOVE with the new image and a sequence number) in the shape
// of Lambda's DynamoDB event.
//
//     npm install && npm test

import assert from 'node:assert/strict';
import { afterEach, beforeEach, test } from 'node:test';
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { TimeoutError } from '@gomomento/sdk';

import { MAX_ID_LENGTH, TOMBSTONE, handler as read, itemJson, resetDynamoDbForTests } from '../src/writeThrough.ts';
import type { HttpResponse, Item } from '../src/writeThrough.ts';
import { handler as stream } from '../src/writeThroughStream.ts';
import type { StreamEvent, StreamRecord } from '../src/writeThroughStream.ts';
import { output, useFakes, world } from './fakes.ts';

useFakes();

const TABLE = 'items';

class FakeTable {
  items = new Map<string, Item>();
  records: StreamRecord[] = [];
  reads = 0;
  sequence = 100;
  // Runs after a GetItem read the table and before it answers (a slow reader).
  afterRead: (() => Promise<void>) | null = null;
  failReads = false;

  async send(command: unknown): Promise<{ Item?: Item }> {
    assert.ok(command instanceof GetItemCommand);
    assert.equal(command.input.TableName, TABLE);
    assert.equal(command.input.ConsistentRead, true);
    this.reads += 1;
    if (this.failReads) throw Object.assign(new Error('the table is throttled'), { name: 'ProvisionedThroughputExceededException' });
    const id = command.input.Key?.id?.S ?? '';
    const item = this.items.get(id);
    const hook = this.afterRead;
    this.afterRead = null;
    if (hook) await hook();
    return item ? { Item: structuredClone(item) } : {};
  }

  put(item: Item): void {
    const id = item.id.S ?? '';
    const change = this.items.has(id) ? 'MODIFY' : 'INSERT';
    this.items.set(id, item);
    this.record(change, id, item);
  }

  delete(id: string): void {
    if (this.items.delete(id)) this.record('REMOVE', id, undefined);
  }

  record(eventName: string, id: string, image: Item | undefined): void {
    this.sequence += 1;
    this.records.push({
      eventName,
      eventSource: 'aws:dynamodb',
      dynamodb: { Keys: { id: { S: id } }, ...(image ? { NewImage: structuredClone(image) } : {}), SequenceNumber: String(this.sequence) },
    });
  }

  /** The stream records written since the last call, as the Lambda event of one batch. */
  changes(): StreamEvent {
    const batch = this.records;
    this.records = [];
    return { Records: batch };
  }
}

let table: FakeTable;

beforeEach(() => {
  process.env.ITEMS_TABLE_NAME = TABLE;
  delete process.env.MOMENTO_DEFAULT_TTL_SECONDS;
  table = new FakeTable();
  resetDynamoDbForTests(table);
});

afterEach(() => {
  resetDynamoDbForTests();
});

function get(id: string): Promise<HttpResponse> {
  return read({ pathParameters: { id } }, { awsRequestId: 'req-1' });
}

const body = (response: HttpResponse): Record<string, unknown> => JSON.parse(response.body) as Record<string, unknown>;
const cached = (id: string): unknown => {
  const value = world.store.get(`unit-cache/item:${id}`);
  return value === undefined ? undefined : JSON.parse(value);
};
const failed = (response: { batchItemFailures: { itemIdentifier: string }[] }): string[] =>
  response.batchItemFailures.map((f) => f.itemIdentifier);
const logs = (event: string): Record<string, unknown>[] => output.filter((line) => line.event === event);

test('a miss reads the table and fills the cache; the next read is a hit', async () => {
  table.put({ id: { S: 'a' }, message: { S: 'hello' }, price: { N: '1.50' } });
  const first = await get('a');
  assert.equal(first.statusCode, 200);
  assert.equal(first.headers['x-cache'], 'miss');
  assert.deepEqual(body(first), { item: { id: 'a', message: 'hello', price: 1.5 }, cache: 'miss' });
  const second = await get('a');
  assert.deepEqual([second.statusCode, second.headers['x-cache']], [200, 'hit']);
  assert.deepEqual(body(second).item, { id: 'a', message: 'hello', price: 1.5 });
  assert.equal(table.reads, 1);
  assert.equal(world.ttls.get('unit-cache/item:a'), undefined); // the client's default TTL
  const [line] = logs('write-through-read');
  assert.equal(line.filled, 'stored');
  assert.equal(line.request_id, 'req-1');
  assert.equal(world.reads, 1);
  assert.equal(world.clients.length, 1);
});

test('an item that does not exist is a 404, cached as a tombstone', async () => {
  for (const expected of ['miss', 'hit']) {
    const response = await get('nope');
    assert.deepEqual([response.statusCode, response.headers['x-cache']], [404, expected]);
  }
  assert.deepEqual(cached('nope'), { deleted: true });
  assert.equal(table.reads, 1);
});

test('the stream writes every change; the next read returns the new value', async () => {
  assert.equal((await get('a')).statusCode, 404); // a tombstone now
  for (let version = 1; version <= 5; version += 1) {
    table.put({ id: { S: 'a' }, version: { N: String(version) } });
    assert.deepEqual(failed(await stream(table.changes())), []);
    const response = await get('a');
    assert.deepEqual([response.statusCode, response.headers['x-cache']], [200, 'hit']);
    assert.deepEqual(body(response).item, { id: 'a', version });
  }
  assert.equal(table.reads, 1);
  assert.equal(world.ttls.get('unit-cache/item:a'), 60);
  assert.deepEqual(logs('write-through-stream').map((line) => line.outcome), ['written', 'written', 'written', 'written', 'written']);
});

test('a delete writes a tombstone: 404 even for a reader that loaded the item first', async () => {
  table.put({ id: { S: 'a' }, v: { S: 'v1' } });
  await stream(table.changes());
  world.store.clear(); // v1 left the cache: the next read misses
  table.afterRead = async () => {
    // the item is deleted while this reader holds it, and the stream writes the tombstone first
    table.delete('a');
    assert.deepEqual(failed(await stream(table.changes())), []);
  };
  assert.equal((await get('a')).statusCode, 200); // it existed when this request read it
  assert.deepEqual(cached('a'), { deleted: true }); // the late fill was refused
  for (let i = 0; i < 3; i += 1) {
    const response = await get('a');
    assert.deepEqual([response.statusCode, response.headers['x-cache']], [404, 'hit']);
  }
  assert.equal(logs('write-through-read')[0].filled, 'kept');
  assert.deepEqual(logs('write-through-stream').map((line) => line.outcome), ['written', 'tombstone']);
});

test('a reader that loaded an older version fills too late to matter', async () => {
  table.put({ id: { S: 'a' }, v: { S: 'v1' } });
  await stream(table.changes());
  world.store.clear();
  table.afterRead = async () => {
    table.put({ id: { S: 'a' }, v: { S: 'v2' } });
    await stream(table.changes());
  };
  const late = await get('a');
  assert.deepEqual([late.headers['x-cache'], body(late).item], ['miss', { id: 'a', v: 'v1' }]); // what it read
  assert.deepEqual(cached('a'), { id: 'a', v: 'v2' }); // the late fill was refused
  assert.deepEqual(body(await get('a')), { item: { id: 'a', v: 'v2' }, cache: 'hit' });
});

test('the stream stops at the first failed record and reports its sequence number', async () => {
  table.put({ id: { S: 'a' }, v: { S: 'v1' } });
  table.put({ id: { S: 'b' }, v: { S: 'v1' } });
  const event = table.changes();
  await get('x'); // the client exists
  world.clients[0].failWith = new TimeoutError('slow');
  assert.deepEqual(failed(await stream(event)), [event.Records?.[0].dynamodb?.SequenceNumber]);
  const [line] = logs('write-through-stream');
  assert.deepEqual([line.outcome, line.error], ['failed', 'TIMEOUT_ERROR']);
  assert.equal(logs('write-through-stream').length, 1); // b was not tried: its changes stay in order
  world.clients[0].failWith = null;
  assert.deepEqual(failed(await stream(event)), []); // Lambda's retry of the batch
  assert.deepEqual([cached('a'), cached('b')], [{ id: 'a', v: 'v1' }, { id: 'b', v: 'v1' }]);
});

test('Momento down: reads come from the table and nothing is filled', async () => {
  table.put({ id: { S: 'a' }, v: { S: 'v1' } });
  await get('x');
  world.clients[0].failWith = new TimeoutError('slow');
  const response = await get('a');
  assert.deepEqual([response.statusCode, response.headers['x-cache']], [200, 'error']);
  assert.deepEqual(body(response).item, { id: 'a', v: 'v1' });
  const line = logs('write-through-read').at(-1);
  assert.equal(line?.error, 'TIMEOUT_ERROR');
  assert.equal(line?.filled, undefined);
});

test('a table that cannot be read answers 503', async () => {
  table.failReads = true;
  const response = await get('a');
  assert.equal(response.statusCode, 503);
  assert.match(String(logs('write-through-read')[0].table_error), /ProvisionedThroughputExceededException/);
});

test('a missing or too long id is a 400 without a cache or table call', async () => {
  for (const id of ['', 'x'.repeat(MAX_ID_LENGTH + 1)]) assert.equal((await get(id)).statusCode, 400);
  assert.equal((await read(null)).statusCode, 400);
  assert.equal(world.gets + table.reads, 0);
});

test('a record without a string id, or of an unknown kind, is skipped; a stream without images writes a tombstone', async () => {
  const records: StreamRecord[] = [
    { eventName: 'INSERT', dynamodb: { Keys: { id: { N: '1' } }, SequenceNumber: '1' } },
    { eventName: 'SOMETHING', dynamodb: { Keys: { id: { S: 'a' } }, SequenceNumber: '2' } },
    { eventName: 'MODIFY', dynamodb: { Keys: { id: { S: 'b' } }, SequenceNumber: '3' } },
  ];
  assert.deepEqual(failed(await stream({ Records: records })), []);
  assert.deepEqual(logs('write-through-stream').map((line) => line.outcome), ['skipped', 'skipped', 'tombstone']);
  assert.equal(world.store.get('unit-cache/item:b'), TOMBSTONE);
  assert.deepEqual(await stream(null), { batchItemFailures: [] });
});

test('items are encoded as sorted JSON, the same from GetItem and from the stream', () => {
  const item: Item = {
    z: { S: 'last' },
    id: { S: 'a' },
    n: { N: '100' },
    big: { N: '12345678901234567890123' },
    f: { N: '2.50' },
    ok: { BOOL: true },
    none: { NULL: true },
    ns: { NS: ['10', '9', '1.5'] },
    ss: { SS: ['b', 'a'] },
    b: { B: new Uint8Array([1, 2, 3]) },
    l: { L: [{ S: 'x' }, { M: { y: { N: '1' }, x: { N: '2' } } }] },
  };
  assert.equal(
    itemJson(item),
    '{"b":"AQID","big":12345678901234567890123,"f":2.5,"id":"a","l":["x",{"x":2,"y":1}],"n":100,"none":null,"ns":[1.5,9,10],"ok":true,"ss":["a","b"],"z":"last"}',
  );
  // Lambda's event gives binary as base64 text
  assert.equal(itemJson({ b: { B: 'AQID' as unknown as Uint8Array } }), '{"b":"AQID"}');
});
