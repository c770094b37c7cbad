{%- set node_major = cookiecutter.runtime | replace("nodejs", "") | replace(".x", "") -%}
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

function statements(template: Template): Array<Record<string, unknown>> {
  const policies = Object.values(template.findResources('AWS::IAM::Policy'));
  const all: Array<Record<string, unknown>> = policies.flatMap((policy) => policy.Properties.PolicyDocument.Statement);
  return all.map((s) => ({ ...s, Action: Array.isArray(s.Action) ? [...s.Action].sort() : s.Action }));
}

test('the function runs on {{ cookiecutter.runtime }} / {{ cookiecutter.architecture }} with the secret contract in its environment', () => {
  const template = synth();
  template.resourceCountIs('AWS::Lambda::Function', 1);
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
  const env = Object.values(template.findResources('AWS::Lambda::Function'))[0].Properties.Environment.Variables;
  assert.ok(!JSON.stringify(env).includes('MOMENTO_API_KEY'), 'the key is never in the environment');
});

test('by name, the role may read exactly the secret NAME-?????? and nothing else', () => {
  const granted = statements(synth());
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
    ],
  );
  template.hasResourceProperties('AWS::Lambda::Function', {
    Environment: { Variables: Match.objectLike({ MOMENTO_SECRET_ARN: SECRET_ARN }) },
  });
});

test('the HTTP API routes GET /items/{id} to the function', () => {
  const template = synth();
  template.hasResourceProperties('AWS::ApiGatewayV2::Route', { RouteKey: 'GET /items/{id}' });
  template.resourceCountIs('AWS::ApiGatewayV2::Api', 1);
});
