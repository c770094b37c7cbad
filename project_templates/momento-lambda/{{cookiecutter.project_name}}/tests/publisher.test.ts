// Unit tests of the publishing function (src/publisher.ts). They run offline with the in-memory
// fakes of tests/fakes.ts and a fake topic client that answers with the SDK's own response types;
// the client module's own tests are in tests/momentoClient.test.ts.
//
//     npm install && npm test

import assert from 'node:assert/strict';
import { afterEach, beforeEach, test } from 'node:test';
import { AuthenticationError, TopicPublish } from '@gomomento/sdk';
import type { CredentialProvider, TopicClient } from '@gomomento/sdk';

import { resetForTests } from '../src/momentoClient.ts';
import { TOPIC_ENV, handler, resetTopicClient, topicHooks } from '../src/publisher.ts';
import type { PublishEvent } from '../src/publisher.ts';
import { jwt, output, useFakes, world } from './fakes.ts';

useFakes();

class FakeTopics {
  apiKey: string;
  published: { cache: string; topic: string; text: string }[];

  constructor(apiKey: string, published: { cache: string; topic: string; text: string }[]) {
    this.apiKey = apiKey;
    this.published = published;
  }

  async publish(cache: string, topic: string, text: string): Promise<TopicPublish.Response> {
    if (this.apiKey !== world.acceptedKey) return new TopicPublish.Error(new AuthenticationError('rejected'));
    this.published.push({ cache, topic, text });
    return new TopicPublish.Success();
  }
}

const realFactory = topicHooks.newTopicClient;
let built: FakeTopics[] = [];
let published: { cache: string; topic: string; text: string }[] = [];

beforeEach(() => {
  process.env[TOPIC_ENV] = 'orders';
  built = [];
  published = [];
  resetTopicClient();
  topicHooks.newTopicClient = (provider: CredentialProvider): TopicClient => {
    const client = new FakeTopics(provider.getAuthToken(), published);
    built.push(client);
    return client as unknown as TopicClient;
  };
});

afterEach(() => {
  topicHooks.newTopicClient = realFactory;
  resetTopicClient();
  delete process.env[TOPIC_ENV];
});

function request(body: unknown, base64 = false): PublishEvent {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  return base64 ? { body: Buffer.from(text).toString('base64'), isBase64Encoded: true } : { body: text };
}

test('events are published to the topic with one secret read and one topic client', async () => {
  const answers = await Promise.all([1, 2, 3].map((n) => handler(request({ order: n }), { awsRequestId: `r-${n}` })));
  assert.deepEqual(answers.map((a) => a.statusCode), [202, 202, 202]);
  assert.deepEqual(published.map((p) => p.text).sort(), ['{"order":1}', '{"order":2}', '{"order":3}']);
  assert.ok(published.every((p) => p.cache === 'unit-cache' && p.topic === 'orders'));
  assert.equal(world.reads, 1);
  assert.equal(built.length, 1);
  assert.deepEqual(output.map((line) => line.published), [true, true, true]);
});

test('a base64 body is published as its JSON', async () => {
  assert.equal((await handler(request({ a: 1 }, true))).statusCode, 202);
  assert.equal(published[0].text, '{"a":1}');
});

for (const body of ['not json', '', 'x'.repeat(5000)]) {
  test(`a bad body is 400 and publishes nothing (${body.slice(0, 8) || 'empty'})`, async () => {
    assert.equal((await handler(request(body))).statusCode, 400);
    assert.deepEqual(published, []);
  });
}

test('a rotated key is picked up and the topic client rebuilt', async () => {
  assert.equal((await handler(request({ n: 1 }))).statusCode, 202);
  const newKey = jwt({ t: 'g', id: 'rotated' });
  world.secret = JSON.stringify({ MOMENTO_API_KEY: newKey, MOMENTO_ENDPOINT: 'cell-1.example.com' });
  world.acceptedKey = newKey; // Momento rejects the old key from now on
  assert.equal((await handler(request({ n: 2 }))).statusCode, 202);
  assert.equal(world.reads, 2);
  assert.equal(built.length, 2);
});

test('when Momento refuses, the answer is 503', async () => {
  world.acceptedKey = 'another key';
  const response = await handler(request({ n: 1 }));
  assert.equal(response.statusCode, 503);
  assert.equal(output.at(-1)?.published, false);
  assert.equal(output.at(-1)?.error, 'AUTHENTICATION_ERROR');
});

test('an unreadable secret is 503', async () => {
  resetForTests({
    readSecretString: async () => {
      throw new Error('AccessDeniedException');
    },
  });
  assert.equal((await handler(request({ n: 1 }))).statusCode, 503);
});
