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
}


def make(root: Path, shape: str) -> Path:
    return write_tree(root / shape, SHAPES[shape])
