import type { EmulatedService, ParameterDefinition } from './services.js';
import { UnreachableCaseError } from '../../../core/unreachable.js';

/**
 * `GET /api/{name}/{version}/swagger.json`: the Swagger 2.0 document ML Server generates for each
 * web service (docs/backends/azureml.md, source S1), from which clients such as swagger-codegen
 * build a service-specific SDK. Operation ids and definition names follow S1; descriptions are ours.
 */
export function serviceSwagger(service: EmulatedService): Record<string, unknown> {
  const base = `/api/${service.name}/${service.version}`;
  const json = { consumes: ['application/json'], produces: ['application/json'] };
  const error = { description: 'Error', schema: { $ref: '#/definitions/Error' } };
  const executionId = { name: 'executionId', in: 'path', required: true, type: 'string', description: 'Execution id of the batch' };
  const index = { name: 'index', in: 'path', required: true, type: 'integer', format: 'int32', description: 'Index of the execution in the batch' };
  const bearer = [{ Bearer: [] }];
  return {
    swagger: '2.0',
    info: { title: service.name, description: service.description, version: service.version },
    schemes: ['http', 'https'],
    ...json,
    securityDefinitions: { Bearer: { type: 'apiKey', name: 'Authorization', in: 'header' } },
    paths: {
      '/login': {
        post: {
          tags: ['User'],
          operationId: 'Login',
          parameters: [{ name: 'loginRequest', in: 'body', required: true, schema: { $ref: '#/definitions/LoginRequest' } }],
          responses: { 200: { description: 'OK', schema: { $ref: '#/definitions/AccessTokenResponse' } }, 401: error },
        },
      },
      [base]: {
        post: {
          tags: [service.name],
          operationId: service.name.charAt(0).toLowerCase() + service.name.slice(1),
          security: bearer,
          parameters: [{ name: 'WebServiceParameters', in: 'body', required: true, schema: { $ref: '#/definitions/InputParameters' } }],
          responses: { 200: { description: 'OK', schema: { $ref: '#/definitions/WebServiceResult' } }, default: error },
        },
      },
      [`${base}/batch`]: {
        post: {
          tags: [service.name],
          operationId: 'StartBatchExecution',
          security: bearer,
          parameters: [
            { name: 'BatchWebServiceParameters', in: 'body', required: true, schema: { type: 'array', items: { $ref: '#/definitions/InputParameters' } } },
            { name: 'parallelCount', in: 'query', required: false, type: 'integer', format: 'int32', description: 'Default value is 10' },
          ],
          responses: { 202: { description: 'Accepted', schema: { $ref: '#/definitions/StartBatchExecutionResponse' } }, default: error },
        },
        get: {
          tags: [service.name],
          operationId: 'GetBatchExecutions',
          security: bearer,
          responses: { 200: { description: 'OK', schema: { type: 'array', items: { type: 'string' } } }, default: error },
        },
      },
      [`${base}/batch/{executionId}`]: {
        get: {
          tags: [service.name],
          operationId: 'GetBatchExecutionStatus',
          security: bearer,
          parameters: [executionId, { name: 'showPartialResults', in: 'query', required: false, type: 'boolean' }],
          responses: { 200: { description: 'OK', schema: { $ref: '#/definitions/BatchWebServiceResult' } }, default: error },
        },
        delete: {
          tags: [service.name],
          operationId: 'CancelAndDeleteBatchExecution',
          security: bearer,
          parameters: [executionId],
          responses: { 200: { description: 'OK', schema: { type: 'array', items: { type: 'string' } } }, default: error },
        },
      },
      [`${base}/batch/{executionId}/{index}/files`]: {
        get: {
          tags: [service.name],
          operationId: 'GetBatchExecutionFiles',
          security: bearer,
          parameters: [executionId, index],
          responses: { 200: { description: 'OK', schema: { type: 'array', items: { type: 'string' } } }, default: error },
        },
      },
      [`${base}/batch/{executionId}/{index}/files/{fileName}`]: {
        get: {
          tags: [service.name],
          operationId: 'GetBatchExecutionFile',
          security: bearer,
          parameters: [executionId, index, { name: 'fileName', in: 'path', required: true, type: 'string' }],
          responses: { 200: { description: 'OK', schema: { type: 'file' } }, default: error },
        },
      },
    },
    definitions: {
      LoginRequest: { type: 'object', properties: { username: { type: 'string' }, password: { type: 'string' } } },
      AccessTokenResponse: {
        type: 'object',
        properties: { token_type: { type: 'string' }, access_token: { type: 'string' }, expires_on: { type: 'string' }, refresh_token: { type: 'string' } },
      },
      InputParameters: parameters(service.inputs),
      OutputParameters: parameters(service.outputs),
      WebServiceResult: {
        type: 'object',
        properties: {
          success: { type: 'boolean' },
          errorMessage: { type: 'string' },
          consoleOutput: { type: 'string' },
          changedFiles: { type: 'array', items: { type: 'string' } },
          outputParameters: { $ref: '#/definitions/OutputParameters' },
        },
      },
      StartBatchExecutionResponse: { type: 'object', properties: { batchExecutionId: { type: 'string' } } },
      BatchWebServiceResult: {
        type: 'object',
        properties: {
          state: { type: 'string', enum: ['pending', 'inProgress', 'ready', 'complete'] },
          totalItemCount: { type: 'integer', format: 'int32' },
          completedItemCount: { type: 'integer', format: 'int32' },
          parallelCount: { type: 'integer', format: 'int32' },
          batchExecutionResults: { type: 'array', items: { $ref: '#/definitions/WebServiceResult' } },
        },
      },
      Error: { type: 'object', properties: { code: { type: 'integer', format: 'int32' }, message: { type: 'string' }, fields: { type: 'string' } } },
    },
  };
}

function parameters(definitions: readonly ParameterDefinition[]): Record<string, unknown> {
  return { type: 'object', properties: Object.fromEntries(definitions.map((definition) => [definition.name, schemaOf(definition.type)])) };
}

/** ML Server's parameter types in Swagger terms. */
function schemaOf(type: ParameterDefinition['type']): Record<string, unknown> {
  switch (type) {
    case 'numeric':
      return { type: 'number', format: 'double' };
    case 'integer':
      return { type: 'integer', format: 'int32' };
    case 'logical':
      return { type: 'boolean' };
    case 'character':
      return { type: 'string' };
    case 'vector':
      return { type: 'array', items: {} };
    case 'matrix':
      return { type: 'array', items: { type: 'array', items: {} } };
    case 'data.frame':
      return { type: 'object' };
    default:
      throw new UnreachableCaseError(type, 'parameter type');
  }
}
