"""Existing projects in real-world shapes, for `momento-lambda add` (written by hand: sam init's
hello-world for Python and Node.js, Globals with a shared role, Serverless with
provider.iam.role.statements, per-function roles, a layer, package.individually, CRLF files
with comments everywhere)."""

from __future__ import annotations

from pathlib import Path

from tests.support.projects import write_tree

PY_HANDLER = 'import json\n\n\ndef lambda_handler(event, context):\n    return {"statusCode": 200, "body": json.dumps({"message": "hello world"})}\n'
NODE_HANDLER = "export const lambdaHandler = async (event, context) => {\n  return { statusCode: 200, body: JSON.stringify({ message: 'hello world' }) };\n};\n"

SAM_CONFIG = """# More information about the configuration file can be found here:
# https://docs.aws.amazon.com/serverless-application-model/latest/developerguide/serverless-sam-cli-config.html
version = 0.1

[default.global.parameters]
stack_name = "sam-app"

[default.build.parameters]
cached = true
parallel = true

[default.validate.parameters]
lint = true

[default.deploy.parameters]
capabilities = "CAPABILITY_IAM"
confirm_changeset = true
resolve_s3 = true
"""

SAM_HELLO_PYTHON = {
    "template.yaml": """AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Description: >
  sam-app

  Sample SAM Template for sam-app

# More info about Globals: https://github.com/awslabs/serverless-application-model/blob/master/docs/globals.rst
Globals:
  Function:
    Timeout: 3
    MemorySize: 128

Resources:
  HelloWorldFunction:
    Type: AWS::Serverless::Function # More info about Function Resource: see the SAM docs
    Properties:
      CodeUri: hello_world/
      Handler: app.lambda_handler
      Runtime: python3.13
      Architectures:
        - x86_64
      Events:
        HelloWorld:
          Type: Api # More info about API Event Source: see the SAM docs
          Properties:
            Path: /hello
            Method: get

Outputs:
  # ServerlessRestApi is an implicit API created which includes all APIs defined in your application
  HelloWorldApi:
    Description: "API Gateway endpoint URL for Prod stage for Hello World function"
    Value: !Sub "https://${ServerlessRestApi}.execute-api.${AWS::Region}.amazonaws.com/Prod/hello/"
  HelloWorldFunction:
    Description: "Hello World Lambda Function ARN"
    Value: !GetAtt HelloWorldFunction.Arn
""",
    "samconfig.toml": SAM_CONFIG,
    "hello_world/__init__.py": "",
    "hello_world/app.py": PY_HANDLER,
    "hello_world/requirements.txt": "requests\n",
    "events/event.json": "{}\n",
}

SAM_HELLO_NODE = {
    "template.yaml": """AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Description: >
  sam-app-node

Globals:
  Function:
    Timeout: 3

Resources:
  HelloWorldFunction:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: hello-world/
      Handler: app.lambdaHandler
      Runtime: nodejs22.x
      Architectures:
      - x86_64
      Events:
        HelloWorld:
          Type: Api
          Properties:
            Path: /hello
            Method: get
""",
    "samconfig.toml": SAM_CONFIG,
    "hello-world/app.mjs": NODE_HANDLER,
    "hello-world/package.json": """{
  "name": "hello_world",
  "version": "1.0.0",
  "description": "hello world sample for NodeJS",
  "main": "app.js",
  "license": "MIT",
  "devDependencies": {
    "chai": "^4.3.6",
    "mocha": "^10.2.0"
  },
  "scripts": {
    "test": "mocha tests/unit/"
  }
}
""",
}

SAM_GLOBALS_SHARED_ROLE = {
    "template.yaml": """AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Description: Orders API (two functions, one shared role)

Globals:
  Function:
    Runtime: python3.12
    Timeout: 15
    Architectures: [arm64]
    Environment:
      Variables:
        TABLE_NAME: orders   # the DynamoDB table

Resources:
  SharedRole:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Principal: {Service: lambda.amazonaws.com}
            Action: sts:AssumeRole
      ManagedPolicyArns:
        - arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole
  GetOrder:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: src/get_order/
      Handler: handler.main
      Role: !GetAtt SharedRole.Arn
  PutOrder:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: src/put_order/
      Handler: handler.main
      Role: !GetAtt SharedRole.Arn
  # Orders layer: shared helpers
  CommonLayer:
    Type: AWS::Serverless::LayerVersion
    Properties:
      ContentUri: layers/common/
      CompatibleRuntimes: [python3.12]
    Metadata:
      BuildMethod: python3.12
""",
    "samconfig.toml": SAM_CONFIG,
    "src/get_order/handler.py": PY_HANDLER.replace("lambda_handler", "main"),
    "src/put_order/handler.py": PY_HANDLER.replace("lambda_handler", "main"),
    "layers/common/requirements.txt": "\n",
    "layers/common/python/common.py": "X = 1\n",
}

SLS_STATEMENTS_PYTHON = {
    "serverless.yml": """# Welcome to Serverless!
service: orders-api

frameworkVersion: '>=3'

provider:
  name: aws
  runtime: python3.12
  region: eu-west-1
  timeout: 20
  iam:
    role:
      statements:
        # read the orders table
        - Effect: Allow
          Action:
            - dynamodb:GetItem
          Resource: arn:aws:dynamodb:eu-west-1:123456789012:table/orders

functions:
  hello:
    handler: handler.hello # the entry point
    events:
      - httpApi:
          path: /hello
          method: get
  # a second one
  report:
    handler: handler.report
""",
    "handler.py": PY_HANDLER.replace("lambda_handler", "hello") + "\n\ndef report(event, context):\n    return {}\n",
    "package.json": '{\n  "name": "orders-api",\n  "version": "1.0.0",\n  "private": true\n}\n',
}

SLS_PER_FUNCTION_ROLES_NODE = {
    "serverless.yml": """service: images
frameworkVersion: ">=3"
provider:
  name: aws
  runtime: nodejs22.x
  timeout: 10
package:
  individually: true
  patterns:
    - '!**'
    - 'src/**'
    - 'package.json'
    - 'node_modules/**'
functions:
  resize:
    handler: src/resize.handler
    role: ResizeRole
  thumbnail:
    handler: src/thumbnail.handler
    role:
      Fn::GetAtt: [ThumbnailRole, Arn]
resources:
  Resources:
    ResizeRole:
      Type: AWS::IAM::Role
      Properties:
        AssumeRolePolicyDocument:
          Version: "2012-10-17"
          Statement:
            - Effect: Allow
              Principal:
                Service: lambda.amazonaws.com
              Action: sts:AssumeRole
    ThumbnailRole:
      Type: AWS::IAM::Role
      Properties:
        AssumeRolePolicyDocument:
          Version: "2012-10-17"
          Statement:
            - Effect: Allow
              Principal:
                Service: lambda.amazonaws.com
              Action: sts:AssumeRole
""",
    "src/resize.mjs": NODE_HANDLER.replace("lambdaHandler", "handler"),
    "src/thumbnail.mjs": NODE_HANDLER.replace("lambdaHandler", "handler"),
    "package.json": '{\n  "name": "images",\n  "type": "module",\n  "dependencies": {\n    "sharp": "^0.33.0"\n  }\n}\n',
}


# --- functions sharing code: one code folder, a layer, handlers under one folder -----------

SAM_SHARED_CODEURI_PYTHON = {
    "template.yaml": """AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Description: Orders service (one code folder, one package per route)

Globals:
  Function:
    CodeUri: src/
    Runtime: python3.13
    Timeout: 10
    MemorySize: 256

Resources:
  GetOrderFunction:
    Type: AWS::Serverless::Function
    Properties:
      Handler: get_order.app.lambda_handler
      Events:
        GetOrder:
          Type: HttpApi
          Properties:
            Path: /orders/{id}
            Method: get
  ListOrdersFunction:
    Type: AWS::Serverless::Function
    Properties:
      Handler: list_orders.app.lambda_handler # paginated
      Events:
        ListOrders:
          Type: HttpApi
          Properties:
            Path: /orders
            Method: get
""",
    "samconfig.toml": SAM_CONFIG,
    "src/requirements.txt": "# shared by every function of the folder\n",
    "src/common/__init__.py": "",
    "src/common/db.py": "TABLE = 'orders'\n",
    "src/get_order/__init__.py": "",
    "src/get_order/app.py": PY_HANDLER,
    "src/list_orders/__init__.py": "",
    "src/list_orders/app.py": PY_HANDLER,
}

SAM_LAYER_PYTHON = {
    "template.yaml": """AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Description: Orders service (shared code and dependencies in a layer SAM builds)

Globals:
  Function:
    Runtime: python3.12
    Timeout: 10
    Layers:
      - !Ref SharedLayer

Resources:
  SharedLayer:
    Type: AWS::Serverless::LayerVersion
    Properties:
      LayerName: orders-shared
      ContentUri: layers/shared/
      CompatibleRuntimes:
        - python3.12
      RetentionPolicy: Delete
    Metadata:
      BuildMethod: python3.12 # SAM installs requirements.txt into python/
  CreateOrderFunction:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: functions/create_order/
      Handler: app.lambda_handler
  CancelOrderFunction:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: functions/cancel_order/
      Handler: app.lambda_handler
""",
    "samconfig.toml": SAM_CONFIG,
    "layers/shared/requirements.txt": "# dependencies shared by the order functions\n",
    "layers/shared/orders_common.py": "TABLE = 'orders'\n",
    "functions/create_order/app.py": PY_HANDLER,
    "functions/create_order/requirements.txt": "# installed by sam build\n",
    "functions/cancel_order/app.py": PY_HANDLER,
    "functions/cancel_order/requirements.txt": "# installed by sam build\n",
}

SAM_LAYER_PYTHON_PLAIN = {
    "template.yaml": """AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Description: Reports (a layer zipped as it is written)

Resources:
  CommonLayer:
    Type: AWS::Serverless::LayerVersion
    Properties:
      ContentUri: layers/common/
      CompatibleRuntimes: [python3.13]
  DailyReportFunction:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: daily/
      Handler: app.lambda_handler
      Runtime: python3.13
      Timeout: 30
      Layers: [!Ref CommonLayer]
  WeeklyReportFunction:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: weekly/
      Handler: app.lambda_handler
      Runtime: python3.13
      Timeout: 30
      Layers: [!Ref CommonLayer]
""",
    "samconfig.toml": SAM_CONFIG,
    "layers/common/python/report_common.py": "FORMAT = 'csv'\n",
    "daily/app.py": PY_HANDLER,
    "daily/requirements.txt": "requests\n",
    "weekly/app.py": PY_HANDLER,
    "weekly/requirements.txt": "requests\n",
}

SAM_LAYER_NODE = {
    "template.yaml": """AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Description: Users API (dependencies in a layer SAM builds)

Globals:
  Function:
    Runtime: nodejs22.x
    Timeout: 10
    Architectures: [arm64]

Resources:
  DependenciesLayer:
    Type: AWS::Serverless::LayerVersion
    Properties:
      ContentUri: layers/dependencies/
      CompatibleRuntimes: [nodejs22.x]
      CompatibleArchitectures: [arm64]
    Metadata:
      BuildMethod: nodejs22.x
  GetUserFunction:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: functions/get-user/
      Handler: index.handler
      Layers:
        - !Ref DependenciesLayer
  PutUserFunction:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: functions/put-user/
      Handler: index.handler
      Layers:
        - !Ref DependenciesLayer
""",
    "samconfig.toml": SAM_CONFIG,
    "layers/dependencies/package.json": (
        '{\n  "name": "users-dependencies",\n  "version": "1.0.0",\n  "private": true\n}\n'
    ),
    "functions/get-user/index.mjs": NODE_HANDLER.replace("lambdaHandler", "handler"),
    "functions/get-user/package.json": '{\n  "name": "get-user",\n  "version": "1.0.0",\n  "type": "module"\n}\n',
    "functions/put-user/index.mjs": NODE_HANDLER.replace("lambdaHandler", "handler"),
    "functions/put-user/package.json": '{\n  "name": "put-user",\n  "version": "1.0.0",\n  "type": "module"\n}\n',
}

SLS_SHARED_FOLDER_PYTHON = {
    "serverless.yml": """service: inventory
frameworkVersion: ">=3"

provider:
  name: aws
  runtime: python3.13
  timeout: 10
  iam:
    role:
      statements:
        - Effect: Allow
          Action: dynamodb:GetItem
          Resource: "*"

functions:
  getItem:
    handler: functions/get_item/handler.main
  listItems:
    handler: functions/list_items/handler.main
""",
    "functions/get_item/handler.py": PY_HANDLER.replace("lambda_handler", "main"),
    "functions/list_items/handler.py": PY_HANDLER.replace("lambda_handler", "main"),
    "requirements.txt": "requests\n",
    "package.json": '{\n  "name": "inventory",\n  "private": true\n}\n',
}

SLS_SHARED_FOLDER_NODE = {
    "serverless.yml": """service: accounts
frameworkVersion: ">=3"
provider:
  name: aws
  runtime: nodejs22.x
functions:
  getOrder:
    handler: src/orders/get.handler
  getUser:
    handler: src/users/get.handler
""",
    "src/orders/get.mjs": NODE_HANDLER.replace("lambdaHandler", "handler"),
    "src/users/get.mjs": NODE_HANDLER.replace("lambdaHandler", "handler"),
    "package.json": '{\n  "name": "accounts",\n  "type": "module"\n}\n',
}


SAM_SINGLE_POLICY_NODE = {
    # sam init's S3 template: `Policies` is one policy template, not a list; a second function
    # names one managed policy.
    "template.yaml": """AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Description: S3 JSON logger

Parameters:
  AppBucketName:
    Type: String
    Description: "REQUIRED: Unique S3 bucket name to use for the app."

Resources:
  S3JsonLoggerFunction:
    Type: AWS::Serverless::Function
    Properties:
      Handler: src/handlers/s3-json-logger.s3JsonLoggerHandler
      Runtime: nodejs22.x
      Architectures:
        - x86_64
      MemorySize: 128
      Timeout: 60
      Policies:
        S3ReadPolicy:
          BucketName: !Ref AppBucketName
      Events:
        S3NewObjectEvent:
          Type: S3
          Properties:
            Bucket: !Ref AppBucket
            Events: s3:ObjectCreated:*
  AuditFunction:
    Type: AWS::Serverless::Function
    Properties:
      Handler: src/handlers/audit.handler
      Runtime: nodejs22.x
      Timeout: 30
      Policies: AWSLambdaBasicExecutionRole  # the managed policy
  AppBucket:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: !Ref AppBucketName
""",
    "package.json": '{\n  "name": "s3-json-logger",\n  "type": "module"\n}\n',
    "src/handlers/s3-json-logger.mjs": "export const s3JsonLoggerHandler = async (event) => event.Records.length;\n",
    "src/handlers/audit.mjs": "export const handler = async () => 'ok';\n",
}


def crlf(files: dict[str, str]) -> dict[str, str]:
    return {k: v.replace("\n", "\r\n") for k, v in files.items()}


SHAPES = {
    "sam-hello-python": SAM_HELLO_PYTHON,
    "sam-hello-node": SAM_HELLO_NODE,
    "sam-globals-shared-role": SAM_GLOBALS_SHARED_ROLE,
    "sls-statements-python": SLS_STATEMENTS_PYTHON,
    "sls-per-function-roles-node": SLS_PER_FUNCTION_ROLES_NODE,
    "sam-hello-python-crlf": crlf(SAM_HELLO_PYTHON),
    "sls-statements-python-crlf": crlf(SLS_STATEMENTS_PYTHON),
    "sam-shared-codeuri-python": SAM_SHARED_CODEURI_PYTHON,
    "sam-layer-python": SAM_LAYER_PYTHON,
    "sam-layer-python-plain": SAM_LAYER_PYTHON_PLAIN,
    "sam-layer-node": SAM_LAYER_NODE,
    "sls-shared-folder-python": SLS_SHARED_FOLDER_PYTHON,
    "sls-shared-folder-node": SLS_SHARED_FOLDER_NODE,
    "sam-single-policy-node": SAM_SINGLE_POLICY_NODE,
}

SHARED = {
    # shape: (the one client module, the file holding the SDK dependency, the import per function)
    "sam-shared-codeuri-python": (
        "src/momento_client.py",
        ["src/requirements.txt"],
        {
            "GetOrderFunction": "from momento_client import cache_name, get_client",
            "ListOrdersFunction": "from momento_client import cache_name, get_client",
        },
    ),
    "sam-layer-python": (
        "layers/shared/momento_client.py",
        ["layers/shared/requirements.txt"],
        {
            "CreateOrderFunction": "from momento_client import cache_name, get_client",
            "CancelOrderFunction": "from momento_client import cache_name, get_client",
        },
    ),
    "sam-layer-python-plain": (
        "layers/common/python/momento_client.py",
        ["daily/requirements.txt", "weekly/requirements.txt"],
        {
            "DailyReportFunction": "from momento_client import cache_name, get_client",
            "WeeklyReportFunction": "from momento_client import cache_name, get_client",
        },
    ),
    "sam-layer-node": (
        "layers/dependencies/momentoClient.mjs",
        ["layers/dependencies/package.json"],
        {
            "GetUserFunction": "import { cacheName, getMomentoClient } from '/opt/nodejs/momentoClient.mjs';",
            "PutUserFunction": "import { cacheName, getMomentoClient } from '/opt/nodejs/momentoClient.mjs';",
        },
    ),
    "sls-shared-folder-python": (
        "functions/momento_client.py",
        ["requirements.txt"],
        {
            "getItem": "from functions.momento_client import cache_name, get_client",
            "listItems": "from functions.momento_client import cache_name, get_client",
        },
    ),
    "sls-shared-folder-node": (
        "src/momentoClient.mjs",
        ["package.json"],
        {
            "getOrder": "import { cacheName, getMomentoClient } from '../momentoClient.mjs';",
            "getUser": "import { cacheName, getMomentoClient } from '../momentoClient.mjs';",
        },
    ),
}
"""Shapes whose functions share one place for the client module."""


def make(root: Path, shape: str) -> Path:
    return write_tree(root / shape, SHAPES[shape])


SAM_RESPONSE_STREAMING_NODE = {
    # `sam init`'s response-streaming template: the CodeUri has no package.json (the SAM CLI builds
    # it without one), so the one `add` creates must carry a name and a version (`npm pack`).
    "template.yaml": """AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Description: >
  lambda-streaming-nodejs-app

  Sample SAM Template for a Lambda function with response streaming

Resources:
  StreamingFunction:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: src/
      Handler: index.handler
      Runtime: nodejs22.x
      Architectures:
        - x86_64
      Timeout: 10
      FunctionUrlConfig:
        AuthType: AWS_IAM
        InvokeMode: RESPONSE_STREAM

Outputs:
  StreamingFunctionURL:
    Description: Streaming Lambda Function URL
    Value: !GetAtt StreamingFunctionUrl.FunctionUrl
""",
    "src/index.mjs": """export const handler = awslambda.streamifyResponse(async (event, responseStream, _context) => {
  responseStream.setContentType('text/plain');
  responseStream.write('Hello, world!');
  responseStream.end();
});
""",
}
"""Shapes for what makes a project build after `add` (not in :data:`SHAPES`)."""
