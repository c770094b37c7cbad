{%- set node_major = cookiecutter.runtime | replace("nodejs", "") | replace(".x", "") -%}
{%- set rate_limit = cookiecutter.pattern == "rate-limit" -%}
// The stack: one function that reads through the Momento cache, the read grant on exactly the
// secret holding the Momento API key, and the HTTP API `GET /items/{id}`.
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as cdk from 'aws-cdk-lib';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import * as integrations from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';

const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export interface MomentoSettings {
  /** ARN of the secret holding the Momento API key; empty: the secret is looked up by name. */
  readonly secretArn: string;
  /** Name of that secret (used while secretArn is empty). */
  readonly secretName: string;
  readonly cacheName: string;
  readonly defaultTtlSeconds: number;
  /** The customer-managed KMS key encrypting the secret; empty for the AWS-managed key. */
  readonly kmsKeyArn: string;
  readonly region: string;
}

/** The settings in the app's context (cdk.json "context", or `-c key=value`). */
export function settingsFromContext(scope: Construct): MomentoSettings {
  const text = (key: string): string => String(scope.node.tryGetContext(key) ?? '').trim();
  const ttl = Number(text('momentoDefaultTtlSeconds') || '{{ cookiecutter.default_ttl_seconds }}');
  if (!Number.isInteger(ttl) || ttl < 1 || ttl > 86400) {
    throw new Error(`momentoDefaultTtlSeconds must be a whole number of seconds from 1 to 86400, not ${ttl}`);
  }
  const settings = {
    secretArn: text('momentoSecretArn'),
    secretName: text('momentoSecretName'),
    cacheName: text('momentoCacheName'),
    defaultTtlSeconds: ttl,
    kmsKeyArn: text('momentoKmsKeyArn'),
    region: text('region'),
  };
  if (!settings.secretArn && !settings.secretName) {
    throw new Error('Set momentoSecretArn or momentoSecretName in cdk.json (or -c momentoSecretName=...)');
  }
  if (!settings.cacheName) {
    throw new Error('Set momentoCacheName in cdk.json (or -c momentoCacheName=...)');
  }
  return settings;
}

export interface MomentoStackProps extends cdk.StackProps, MomentoSettings {}

export class MomentoStack extends cdk.Stack {
  readonly function: nodejs.NodejsFunction;
  readonly secret: secretsmanager.ISecret;

  constructor(scope: Construct, id: string, props: MomentoStackProps) {
    super(scope, id, props);

    // The secret: by its full ARN once `momento-lambda store-token` (or you) recorded it; until
    // then by name, which grants the name with any ARN suffix (secret:NAME-??????).
    this.secret = props.secretArn
      ? secretsmanager.Secret.fromSecretCompleteArn(this, 'MomentoSecret', props.secretArn)
      : secretsmanager.Secret.fromSecretNameV2(this, 'MomentoSecret', props.secretName);

    this.function = new nodejs.NodejsFunction(this, 'MomentoFunction', {
      description: '{% if rate_limit %}A rate-limited API counting in Momento{% else %}Cache-aside reads through Momento{% endif %}',
      entry: path.join(PROJECT_ROOT, 'src', '{% if rate_limit %}rateLimit{% else %}handler{% endif %}.ts'),
      handler: 'handler',
      runtime: lambda.Runtime.NODEJS_{{ node_major }}_X,
      architecture: lambda.Architecture.{{ "ARM_64" if cookiecutter.architecture == "arm64" else "X86_64" }},
      timeout: cdk.Duration.seconds(10),
      memorySize: 512,
      environment: {
        MOMENTO_SECRET_ARN: props.secretArn || props.secretName,
        MOMENTO_CACHE_NAME: props.cacheName,
        MOMENTO_DEFAULT_TTL_SECONDS: String(props.defaultTtlSeconds),
        // eager: read the secret and build the client during INIT (lazy: on the first request).
        MOMENTO_INIT_CLIENT: '{{ cookiecutter.init_client }}',
{%- if rate_limit %}
        // Requests each client (x-api-key header, else source IP) may make per window; then 429.
        RATE_LIMIT_MAX_REQUESTS: '10',
        RATE_LIMIT_WINDOW_SECONDS: '60',
        // open: serve requests unlimited while Momento is unreachable; closed: answer 503.
        RATE_LIMIT_FAIL: 'open',
{%- endif %}
      },
      // esbuild from the project's node_modules (never Docker): one ES module holding
      // @gomomento/sdk; the client module awaits its INIT work at the top level.
      projectRoot: PROJECT_ROOT,
      depsLockFilePath: path.join(PROJECT_ROOT, 'package-lock.json'),
      bundling: {
        format: nodejs.OutputFormat.ESM,
        target: 'node{{ node_major }}',
        minify: false,
        sourceMap: false,
        // The Lambda runtime has the AWS SDK for JavaScript v3.
        externalModules: ['@aws-sdk/*'],
        // @gomomento/sdk's dependencies are CommonJS: give them require() inside the ES module.
        banner: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
        mainFields: ['module', 'main'],
      },
    });

    // GetSecretValue (and DescribeSecret) on exactly this secret, nothing else.
    this.secret.grantRead(this.function);
    if (props.kmsKeyArn) {
      this.function.addToRolePolicy(
        new iam.PolicyStatement({ sid: 'DecryptMomentoApiKey', actions: ['kms:Decrypt'], resources: [props.kmsKeyArn] }),
      );
    }

    const api = new apigwv2.HttpApi(this, 'HttpApi', { description: `${id}: GET /items/{id}` });
    api.addRoutes({
      path: '/items/{id}',
      methods: [apigwv2.HttpMethod.GET],
      integration: new integrations.HttpLambdaIntegration('GetItem', this.function),
    });

    new cdk.CfnOutput(this, 'MomentoFunctionArn', { description: "The function's ARN", value: this.function.functionArn });
    new cdk.CfnOutput(this, 'MomentoFunctionRoleArn', {
      description: "The function's execution role",
      value: this.function.role!.roleArn,
    });
    new cdk.CfnOutput(this, 'ItemUrl', { description: 'Try it with curl', value: `${api.apiEndpoint}/items/demo` });
  }
}
