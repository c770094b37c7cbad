{%- set node_major = cookiecutter.runtime | replace("nodejs", "") | replace(".x", "") -%}
{%- set rate_limit = cookiecutter.pattern == "rate-limit" -%}
{%- set consumer = cookiecutter.pattern == "idempotent-consumer" -%}
{%- set topics = cookiecutter.pattern == "topics-publisher" -%}
{%- set write_through = cookiecutter.pattern == "write-through" -%}
{%- set http_items = not (consumer or topics) -%}
{#- One NodejsFunction: its handler module (src/MODULE.ts), environment lines beyond the secret contract's. -#}
{%- macro node_function(field, id, description, module) -%}
    this.{{ field }} = new nodejs.NodejsFunction(this, '{{ id }}', {
      description: {% if "'" in description %}"{{ description }}"{% else %}'{{ description }}'{% endif %},
      entry: path.join(PROJECT_ROOT, 'src', '{{ module }}.ts'),
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
{{- caller() }}
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
{%- endmacro -%}
{#- The read on exactly the Momento secret (and kms:Decrypt on its key) for one function. -#}
{%- macro grant_secret(field) %}
    this.secret.grantRead(this.{{ field }});
    if (props.kmsKeyArn) {
      this.{{ field }}.addToRolePolicy(
        new iam.PolicyStatement({ sid: 'DecryptMomentoApiKey', actions: ['kms:Decrypt'], resources: [props.kmsKeyArn] }),
      );
    }
{%- endmacro -%}
{%- if consumer -%}
// The stack: one function that processes each message of an SQS queue once (claims in Momento),
// the queue with its dead-letter queue and partial batch responses, and the read grant on
// exactly the secret holding the Momento API key.
{%- elif topics -%}
// The stack: a function that publishes events to a Momento topic behind the HTTP API
// `POST /events`, a function behind a Function URL that receives the topic's signed webhook
// deliveries, and the read grants on exactly the secrets each one needs.
{%- elif write_through -%}
// The stack: a DynamoDB table, a function that reads its items through the Momento cache behind
// the HTTP API `GET /items/{id}`, a function on the table's stream that writes every change into
// the cache, and the read grant on exactly the secret holding the Momento API key.
{%- else -%}
// The stack: one function that reads through the Momento cache, the read grant on exactly the
// secret holding the Momento API key, and the HTTP API `GET /items/{id}`.
{%- endif %}
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as cdk from 'aws-cdk-lib';
{%- if not consumer %}
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import * as integrations from 'aws-cdk-lib/aws-apigatewayv2-integrations';
{%- endif %}
{%- if write_through %}
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
{%- endif %}
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
{%- if consumer or write_through %}
import * as eventsources from 'aws-cdk-lib/aws-lambda-event-sources';
{%- endif %}
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
{%- if consumer %}
import * as sqs from 'aws-cdk-lib/aws-sqs';
{%- endif %}
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
{%- if topics %}
  /** The Momento topic the publishing function publishes to. */
  readonly topicName: string;
  /** Name of the secret holding the Momento webhook's signing secret (only the webhook reads it). */
  readonly webhookSecretName: string;
{%- endif %}
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
{%- if topics %}
    topicName: text('momentoTopicName') || 'events',
    webhookSecretName: text('webhookSecretName') || 'momento/{{ cookiecutter.project_name }}/webhook-signing-secret',
{%- endif %}
  };
  if (!settings.secretArn && !settings.secretName) {
    throw new Error('Set momentoSecretArn or momentoSecretName in cdk.json (or -c momentoSecretName=...)');
  }
  if (!settings.cacheName) {
    throw new Error('Set momentoCacheName in cdk.json (or -c momentoCacheName=...)');
  }
{%- if topics %}
  if (!/^[a-zA-Z0-9_.-]{1,128}$/.test(settings.topicName)) {
    throw new Error(`momentoTopicName must be 1 to 128 letters, digits, '_', '.' or '-', not ${settings.topicName}`);
  }
{%- endif %}
  return settings;
}

export interface MomentoStackProps extends cdk.StackProps, MomentoSettings {}

export class MomentoStack extends cdk.Stack {
  readonly function: nodejs.NodejsFunction;
  readonly secret: secretsmanager.ISecret;
{%- if consumer %}
  readonly queue: sqs.Queue;
  readonly deadLetterQueue: sqs.Queue;
{%- elif topics %}
  readonly webhookFunction: nodejs.NodejsFunction;
  readonly webhookSecret: secretsmanager.ISecret;
{%- elif write_through %}
  readonly streamFunction: nodejs.NodejsFunction;
  readonly table: dynamodb.Table;
{%- endif %}

  constructor(scope: Construct, id: string, props: MomentoStackProps) {
    super(scope, id, props);

    // The secret: by its full ARN once `momento-lambda store-token` (or you) recorded it; until
    // then by name, which grants the name with any ARN suffix (secret:NAME-??????).
    this.secret = props.secretArn
      ? secretsmanager.Secret.fromSecretCompleteArn(this, 'MomentoSecret', props.secretArn)
      : secretsmanager.Secret.fromSecretNameV2(this, 'MomentoSecret', props.secretName);
{%- if write_through %}

    // The items. Retained when the stack is deleted or the table replaced: it holds your data.
    this.table = new dynamodb.Table(this, 'ItemsTable', {
      partitionKey: { name: 'id', type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      // The stream function writes the new image into the cache.
      stream: dynamodb.StreamViewType.NEW_AND_OLD_IMAGES,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: dynamodb.TableEncryption.AWS_MANAGED,
      removalPolicy: cdk.RemovalPolicy.RETAIN,
    });
{%- endif %}

    {% if rate_limit %}{% call node_function("function", "MomentoFunction", "A rate-limited API counting in Momento", "rateLimit") %}
        // Requests each client (x-api-key header, else source IP) may make per window; then 429.
        RATE_LIMIT_MAX_REQUESTS: '10',
        RATE_LIMIT_WINDOW_SECONDS: '60',
        // open: serve requests unlimited while Momento is unreachable; closed: answer 503.
        RATE_LIMIT_FAIL: 'open',
{%- endcall %}
{%- elif consumer %}{% call node_function("function", "MomentoFunction", "Processes each SQS message once (claims in Momento)", "idempotentConsumer") %}
        // The message id is the idempotency key; or a field of the JSON body (e.g. orderId, order.id).
        IDEMPOTENCY_KEY_FIELD: '',
        // A claim outlives the queue's visibility timeout (60 s, 6 x the function's 10 s timeout).
        IDEMPOTENCY_TTL_SECONDS: '90',
        // How long a processed message's key is kept: duplicates within it are acknowledged.
        IDEMPOTENCY_DONE_TTL_SECONDS: '86400',
{%- endcall %}
{%- elif topics %}{% call node_function("function", "MomentoFunction", "Publishes events to a Momento topic", "publisher") %}
        MOMENTO_TOPIC_NAME: props.topicName,
{%- endcall %}
{%- elif write_through %}{% call node_function("function", "MomentoFunction", "Reads items through Momento (write-through from the table's stream)", "writeThrough") %}
        ITEMS_TABLE_NAME: this.table.tableName,
{%- endcall %}
{%- else %}{% call node_function("function", "MomentoFunction", "Cache-aside reads through Momento", "handler") %}{% endcall %}
{%- endif %}

    // GetSecretValue (and DescribeSecret) on exactly this secret, nothing else.
{{- grant_secret("function") }}
{%- if consumer %}

    // After 5 receives without success (failures, in-flight copies, Momento down) a message moves
    // to the dead-letter queue, which keeps it 14 days (the longest SQS keeps a message).
    this.deadLetterQueue = new sqs.Queue(this, 'MessageDeadLetterQueue', {
      retentionPeriod: cdk.Duration.days(14),
      encryption: sqs.QueueEncryption.SQS_MANAGED,
    });
    this.queue = new sqs.Queue(this, 'MessageQueue', {
      // At least 6 x the function timeout (AWS's guidance for SQS event sources): a batch being
      // processed (and its retries inside the poller) never becomes visible to another consumer.
      visibilityTimeout: cdk.Duration.seconds(60),
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: 5 },
    });
    // The event source mapping (it also grants the role the SQS poller's permissions on the
    // queue): batches of up to 10; only the messages in batchItemFailures return to the queue.
    this.function.addEventSource(
      new eventsources.SqsEventSource(this.queue, { batchSize: 10, reportBatchItemFailures: true }),
    );

    new cdk.CfnOutput(this, 'MomentoFunctionArn', { description: "The function's ARN", value: this.function.functionArn });
    new cdk.CfnOutput(this, 'MomentoFunctionRoleArn', {
      description: "The function's execution role",
      value: this.function.role!.roleArn,
    });
    new cdk.CfnOutput(this, 'MessageQueueUrl', {
      description: "Send messages here (aws sqs send-message --queue-url URL --message-body '{...}')",
      value: this.queue.queueUrl,
    });
    new cdk.CfnOutput(this, 'MessageDeadLetterQueueUrl', {
      description: 'Messages that failed 5 times',
      value: this.deadLetterQueue.queueUrl,
    });
{%- elif topics %}

    const api = new apigwv2.HttpApi(this, 'HttpApi', { description: `${id}: POST /events` });
    api.addRoutes({
      path: '/events',
      methods: [apigwv2.HttpMethod.POST],
      integration: new integrations.HttpLambdaIntegration('PublishEvent', this.function),
    });

    // Receives the topic's webhook deliveries at its Function URL: checks Momento's signature, the
    // delivery's age and (in Momento) that it is not a replay before handleMessage runs.
    {% call node_function("webhookFunction", "WebhookFunction", "Receives the Momento topic's signed webhook deliveries", "webhook") %}
        MOMENTO_WEBHOOK_SECRET_NAME: props.webhookSecretName,
        // Deliveries published longer ago than this are refused (replays of old deliveries).
        WEBHOOK_MAX_AGE_SECONDS: '60',
{%- endcall %}
{{- grant_secret("webhookFunction") }}
    // The webhook's signing secret: only this function may read it (by name, any ARN suffix).
    this.webhookSecret = secretsmanager.Secret.fromSecretNameV2(this, 'WebhookSecret', props.webhookSecretName);
    this.webhookSecret.grantRead(this.webhookFunction);
    // Public, like every webhook endpoint: the signature is the authentication.
    const webhookUrl = this.webhookFunction.addFunctionUrl({ authType: lambda.FunctionUrlAuthType.NONE });

    new cdk.CfnOutput(this, 'MomentoFunctionArn', { description: "The function's ARN", value: this.function.functionArn });
    new cdk.CfnOutput(this, 'MomentoFunctionRoleArn', {
      description: "The function's execution role",
      value: this.function.role!.roleArn,
    });
    new cdk.CfnOutput(this, 'PublishUrl', { description: 'POST a JSON event here to publish it', value: `${api.apiEndpoint}/events` });
    new cdk.CfnOutput(this, 'WebhookUrl', { description: "The URL to give Momento's webhook for the topic", value: webhookUrl.url });
{%- else %}
{%- if write_through %}
    // A miss reads the item (strongly consistent); nothing else on the table.
    this.function.addToRolePolicy(
      new iam.PolicyStatement({ sid: 'ReadItems', actions: ['dynamodb:GetItem'], resources: [this.table.tableArn] }),
    );

    // Writes every change of the table into the cache: INSERT / MODIFY store the new image, REMOVE
    // a tombstone. It needs nothing on the table: the records carry the images.
    {% call node_function("streamFunction", "StreamFunction", "Writes the items table's changes into Momento (write-through)", "writeThroughStream") %}{% endcall %}
{{- grant_secret("streamFunction") }}
    // The event source mapping (it also grants the role the stream's read permissions). A failed
    // record is reported (reportBatchItemFailures) and the batch retried from it, at most 5 times;
    // bisectBatchOnError splits a batch whose invocation itself fails.
    this.streamFunction.addEventSource(
      new eventsources.DynamoEventSource(this.table, {
        startingPosition: lambda.StartingPosition.LATEST,
        batchSize: 100,
        maxBatchingWindow: cdk.Duration.seconds(0),
        retryAttempts: 5,
        bisectBatchOnError: true,
        reportBatchItemFailures: true,
      }),
    );
{%- endif %}

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
{%- if write_through %}
    new cdk.CfnOutput(this, 'StreamFunctionArn', {
      description: "The function that writes the table's changes into the cache",
      value: this.streamFunction.functionArn,
    });
    new cdk.CfnOutput(this, 'ItemsTableName', {
      description: 'The items table (aws dynamodb put-item --table-name NAME --item ...)',
      value: this.table.tableName,
    });
{%- endif %}
    new cdk.CfnOutput(this, 'ItemUrl', { description: 'Try it with curl', value: `${api.apiEndpoint}/items/demo` });
{%- endif %}
  }
}
