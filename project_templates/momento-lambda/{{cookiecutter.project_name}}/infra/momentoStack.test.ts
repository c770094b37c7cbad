{%- set node_major = cookiecutter.runtime | replace("nodejs", "") | replace(".x", "") -%}
{%- set consumer = cookiecutter.pattern == "idempotent-consumer" -%}
{%- set topics = cookiecutter.pattern == "topics-publisher" -%}
{%- set write_through = cookiecutter.pattern == "write-through" -%}
{%- set module = {"rate-limit": "rateLimit", "idempotent-consumer": "idempotentConsumer", "topics-publisher": "publisher", "write-through": "writeThrough"}.get(cookiecutter.pattern, "handler") -%}
// CDK assertions on the stack: the function's runtime, architecture and environment, and the
// read grant on exactly the Momento secret. Offline and quick: bundling is skipped
// (aws:cdk:bundling-stacks), so esbuild does not run here; `npx cdk synth` runs it.
//
//     npm install && npm test

import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as cdk from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';

import { MomentoStack, type MomentoSettings } from './momentoStack.ts';

const SETTINGS: MomentoSettings = {
  secretArn: '',
  secretName: 'momento/test/api-key',
  cacheName: 'test-cache',
  defaultTtlSeconds: 60,
  kmsKeyArn: '',
  region: '',
{%- if topics %}
  topicName: 'events',
  webhookSecretName: 'momento/test/webhook',
{%- endif %}
};
const SECRET_ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:momento/test/api-key-AbC123';
const KMS_KEY_ARN = 'arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';

function synth(settings: Partial<MomentoSettings> = {}): Template {
  const app = new cdk.App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new MomentoStack(app, 'Test', {
    ...SETTINGS,
    ...settings,
    env: { account: '123456789012', region: 'us-east-1' },
  });
  return Template.fromStack(stack);
}
{% if consumer or topics or write_through %}
{%- if write_through %}
/** What the stream's event source mapping grants (AWSLambdaDynamoDBExecutionRole's DynamoDB actions). */
const STREAM_READ = ['dynamodb:ListStreams', 'dynamodb:DescribeStream', 'dynamodb:GetRecords', 'dynamodb:GetShardIterator'];
{%- endif %}

/** The statements of the policy of the role of `role` (a function's logical id prefix){% if consumer %}, without the SQS poller's{% elif write_through %}, without the stream poller's{% endif %}. */
function statements(template: Template, role = 'MomentoFunction'): Array<Record<string, unknown>> {
  const policies = Object.values(template.findResources('AWS::IAM::Policy')).filter((policy) =>
    String(policy.Properties.Roles[0].Ref).startsWith(role),
  );
  const all: Array<Record<string, unknown>> = policies.flatMap((policy) => policy.Properties.PolicyDocument.Statement);
  return all
{%- if consumer %}
    .filter((s) => !(Array.isArray(s.Action) && s.Action.every((a: string) => a.startsWith('sqs:'))))
{%- elif write_through %}
    .filter((s) => ![s.Action].flat().every((a) => STREAM_READ.includes(String(a))))
{%- endif %}
    .map((s) => ({ ...s, Action: Array.isArray(s.Action) ? [...s.Action].sort() : s.Action }));
}
{%- else %}
function statements(template: Template): Array<Record<string, unknown>> {
  const policies = Object.values(template.findResources('AWS::IAM::Policy'));
  const all: Array<Record<string, unknown>> = policies.flatMap((policy) => policy.Properties.PolicyDocument.Statement);
  return all.map((s) => ({ ...s, Action: Array.isArray(s.Action) ? [...s.Action].sort() : s.Action }));
}
{%- endif %}

test('the function runs on {{ cookiecutter.runtime }} / {{ cookiecutter.architecture }} with the secret contract in its environment', () => {
  const template = synth();
  template.resourceCountIs('AWS::Lambda::Function', {{ 2 if topics or write_through else 1 }});
  template.hasResourceProperties('AWS::Lambda::Function', {
    Runtime: '{{ cookiecutter.runtime }}',
    Architectures: ['{{ cookiecutter.architecture }}'],
    Timeout: 10,
    MemorySize: 512,
    Environment: {
      Variables: Match.objectLike({
        MOMENTO_SECRET_ARN: 'momento/test/api-key',
        MOMENTO_CACHE_NAME: 'test-cache',
        MOMENTO_DEFAULT_TTL_SECONDS: '60',
        MOMENTO_INIT_CLIENT: '{{ cookiecutter.init_client }}',
      }),
    },
  });
{%- if topics or write_through %}
  for (const fn of Object.values(template.findResources('AWS::Lambda::Function'))) {
    const env = fn.Properties.Environment.Variables;
    assert.ok(!JSON.stringify(env).includes('MOMENTO_API_KEY'), 'the key is never in the environment');
  }
{%- else %}
  const env = Object.values(template.findResources('AWS::Lambda::Function'))[0].Properties.Environment.Variables;
  assert.ok(!JSON.stringify(env).includes('MOMENTO_API_KEY'), 'the key is never in the environment');
{%- endif %}
});

test('by name, the role may read exactly the secret NAME-?????? and nothing else', () => {
  const granted = statements(synth()){% if write_through %}.filter((s) => s.Sid !== 'ReadItems'){% endif %};
  assert.equal(granted.length, 1);
  assert.deepEqual(granted[0].Action, ['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue']);
  assert.match(JSON.stringify(granted[0].Resource), /:secret:momento\/test\/api-key-\?\?\?\?\?\?"/);
});

test('by ARN, the role may read exactly that ARN; a KMS key adds kms:Decrypt on that key', () => {
  const template = synth({ secretArn: SECRET_ARN, kmsKeyArn: KMS_KEY_ARN });
  const granted = statements(template);
  assert.deepEqual(
    granted.map((s) => [s.Action, s.Resource]),
    [
      [['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue'], SECRET_ARN],
      ['kms:Decrypt', KMS_KEY_ARN],
{%- if write_through %}
      ['dynamodb:GetItem', { 'Fn::GetAtt': [Object.keys(template.findResources('AWS::DynamoDB::Table'))[0], 'Arn'] }],
{%- endif %}
    ],
  );
{%- if topics or write_through %}
  // The other function reads the same secret, the same way.
  assert.deepEqual(
    statements(template, '{{ "WebhookFunction" if topics else "StreamFunction" }}')
      .slice(0, 2)
      .map((s) => [s.Action, s.Resource]),
    [
      [['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue'], SECRET_ARN],
      ['kms:Decrypt', KMS_KEY_ARN],
    ],
  );
{%- endif %}
  template.hasResourceProperties('AWS::Lambda::Function', {
    Environment: { Variables: Match.objectLike({ MOMENTO_SECRET_ARN: SECRET_ARN }) },
  });
});

{% if consumer -%}
test('the queue feeds the function in batches with partial failures, and a dead-letter queue takes what fails 5 times', () => {
  const template = synth();
  template.resourceCountIs('AWS::ApiGatewayV2::Api', 0);
  const queues = template.findResources('AWS::SQS::Queue');
  const queueId = Object.keys(queues).find((k) => queues[k].Properties.RedrivePolicy)!;
  const dlqId = Object.keys(queues).find((k) => k !== queueId)!;
  const queue = queues[queueId].Properties;
  assert.ok(queue.VisibilityTimeout >= 6 * 10, "AWS's guidance: 6 x the function's timeout");
  assert.deepEqual(queue.RedrivePolicy, { deadLetterTargetArn: { 'Fn::GetAtt': [dlqId, 'Arn'] }, maxReceiveCount: 5 });
  assert.equal(queue.SqsManagedSseEnabled, true);
  assert.equal(queues[dlqId].Properties.SqsManagedSseEnabled, true);
  assert.equal(queues[dlqId].Properties.MessageRetentionPeriod, 1209600);
  template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
    EventSourceArn: { 'Fn::GetAtt': [queueId, 'Arn'] },
    BatchSize: 10,
    FunctionResponseTypes: ['ReportBatchItemFailures'],
  });
  const fn = Object.values(template.findResources('AWS::Lambda::Function'))[0];
  assert.ok(Number(fn.Properties.Environment.Variables.IDEMPOTENCY_TTL_SECONDS) > queue.VisibilityTimeout, 'a claim outlives it');
  // The poller's SQS permissions are on this queue only.
  for (const policy of Object.values(template.findResources('AWS::IAM::Policy'))) {
    for (const s of policy.Properties.PolicyDocument.Statement) {
      if ([s.Action].flat().some((a: string) => a.startsWith('sqs:'))) {
        assert.deepEqual(s.Resource, { 'Fn::GetAtt': [queueId, 'Arn'] });
      }
    }
  }
});
{%- elif topics -%}
test('the HTTP API routes POST /events to the publisher', () => {
  const template = synth();
  template.resourceCountIs('AWS::ApiGatewayV2::Api', 1);
  template.hasResourceProperties('AWS::ApiGatewayV2::Route', { RouteKey: 'POST /events' });
  template.hasResourceProperties('AWS::Lambda::Function', {
    Environment: { Variables: Match.objectLike({ MOMENTO_TOPIC_NAME: 'events' }) },
  });
});

test('the webhook is public behind its Function URL and alone reads the signing secret', () => {
  const template = synth();
  template.hasResourceProperties('AWS::Lambda::Url', { AuthType: 'NONE' });
  template.hasResourceProperties('AWS::Lambda::Function', {
    Environment: {
      Variables: Match.objectLike({ MOMENTO_WEBHOOK_SECRET_NAME: 'momento/test/webhook', WEBHOOK_MAX_AGE_SECONDS: '60' }),
    },
  });
  const webhook = statements(template, 'WebhookFunction');
  const read = ['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue'];
  assert.deepEqual(webhook.map((s) => s.Action), [read, read]);
  assert.match(JSON.stringify(webhook[0].Resource), /:secret:momento\/test\/api-key-\?\?\?\?\?\?"/);
  assert.match(JSON.stringify(webhook[1].Resource), /:secret:momento\/test\/webhook-\?\?\?\?\?\?"/);
  assert.ok(!JSON.stringify(statements(template, 'MomentoFunction')).includes('webhook'), 'the publisher never reads it');
});
{%- elif write_through -%}
test('the table is on demand, with a NEW_AND_OLD_IMAGES stream, PITR and SSE, and retained', () => {
  const template = synth();
  template.hasResource('AWS::DynamoDB::Table', {
    DeletionPolicy: 'Retain',
    UpdateReplacePolicy: 'Retain',
    Properties: {
      BillingMode: 'PAY_PER_REQUEST',
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      StreamSpecification: { StreamViewType: 'NEW_AND_OLD_IMAGES' },
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      SSESpecification: { SSEEnabled: true },
    },
  });
});

test('the reader may get items only, and the HTTP API routes GET /items/{id} to it', () => {
  const template = synth();
  const tableId = Object.keys(template.findResources('AWS::DynamoDB::Table'))[0];
  assert.deepEqual(
    statements(template).filter((s) => s.Sid === 'ReadItems'),
    [{ Sid: 'ReadItems', Action: 'dynamodb:GetItem', Effect: 'Allow', Resource: { 'Fn::GetAtt': [tableId, 'Arn'] } }],
  );
  template.hasResourceProperties('AWS::Lambda::Function', {
    Environment: { Variables: Match.objectLike({ ITEMS_TABLE_NAME: { Ref: tableId } }) },
  });
  template.hasResourceProperties('AWS::ApiGatewayV2::Route', { RouteKey: 'GET /items/{id}' });
});

test('the stream function reads the stream with retries, bisection and partial failures, and nothing on the table', () => {
  const template = synth();
  const tableId = Object.keys(template.findResources('AWS::DynamoDB::Table'))[0];
  const mapping = Object.values(template.findResources('AWS::Lambda::EventSourceMapping'))[0].Properties;
  assert.deepEqual(mapping.EventSourceArn, { 'Fn::GetAtt': [tableId, 'StreamArn'] });
  assert.ok(String(mapping.FunctionName.Ref).startsWith('StreamFunction'));
  assert.equal(mapping.StartingPosition, 'LATEST');
  assert.equal(mapping.BatchSize, 100);
  assert.equal(mapping.MaximumRetryAttempts, 5);
  assert.equal(mapping.BisectBatchOnFunctionError, true);
  assert.deepEqual(mapping.FunctionResponseTypes, ['ReportBatchItemFailures']);
  assert.equal(mapping.MaximumBatchingWindowInSeconds ?? 0, 0);
  const granted = statements(template, 'StreamFunction');
  assert.equal(granted.length, 1, "the secret's read; the stream's is the mapping's");
  const policies = Object.values(template.findResources('AWS::IAM::Policy')).filter((p) =>
    String(p.Properties.Roles[0].Ref).startsWith('StreamFunction'),
  );
  for (const s of policies.flatMap((p) => p.Properties.PolicyDocument.Statement)) {
    assert.ok(![s.Action].flat().includes('dynamodb:GetItem') && ![s.Action].flat().includes('dynamodb:PutItem'));
    if ([s.Action].flat().includes('dynamodb:GetRecords')) {
      assert.deepEqual(s.Resource, { 'Fn::GetAtt': [tableId, 'StreamArn'] });
    }
  }
});
{%- else -%}
test('the HTTP API routes GET /items/{id} to the function', () => {
  const template = synth();
  template.hasResourceProperties('AWS::ApiGatewayV2::Route', { RouteKey: 'GET /items/{id}' });
  template.resourceCountIs('AWS::ApiGatewayV2::Api', 1);
});
{%- endif %}
