import { readFileSync } from 'node:fs'
import { z } from 'zod'
import { ERROR_CODES } from '../../errors.js'
import { ROOT } from '../../paths.js'
import { PROBLEM_TYPE } from './problem.js'
import { OPERATION_ROUTES, type OperationRoute } from './routes.js'
import * as schemas from './schemas.js'

type Json = Record<string, any>

/**
 * JSON Schema (2020-12, the dialect OpenAPI 3.1 uses) from a zod schema. Request bodies are the
 * input side (defaults optional), answers the output side. Fields that travel in the path or a
 * header are left out: refinements stop zod's own `.omit()`, so they are cut from the result.
 */
function jsonSchema (schema: z.ZodType, io: 'input' | 'output', leaveOut: string[] = []): Json {
  const { $schema: _, ...out } = z.toJSONSchema(schema, { target: 'draft-2020-12', io }) as Json
  for (const field of leaveOut) delete out.properties?.[field]
  if (Array.isArray(out.required)) {
    out.required = out.required.filter((f: string) => !leaveOut.includes(f))
    if (out.required.length === 0) delete out.required
  }
  return out
}

const pascal = (s: string) => s.charAt(0).toUpperCase() + s.slice(1)
const ref = (kind: string, name: string) => ({ $ref: `#/components/${kind}/${name}` })
const openApiPath = (url: string) => `/api${url.replace(/:(\w+)/g, '{$1}')}`

/** One reusable problem answer per status, naming the codes that come with it. */
function problemResponses (): Json {
  const byStatus = new Map<number, string[]>()
  for (const [code, { status }] of Object.entries(ERROR_CODES)) byStatus.set(status, [...byStatus.get(status) ?? [], code])
  const responses: Json = {}
  for (const [status, codes] of [...byStatus].sort(([a], [b]) => a - b)) {
    responses[`Problem${status}`] = {
      description: `Problem: ${codes.join(', ')}.`,
      content: { [PROBLEM_TYPE]: { schema: ref('schemas', 'Problem') } }
    }
  }
  return responses
}

const REFUSALS = [400, 401, 403, 404, 409, 422, 429, 500, 502, 503]

function refusals (statuses: number[]): Json {
  return Object.fromEntries(statuses.map((s) => [String(s), ref('responses', `Problem${s}`)]))
}

function pathParameters (route: Pick<OperationRoute, 'params'>): Json[] {
  return Object.entries(route.params).map(([name, type]) => ({
    name,
    in: 'path',
    required: true,
    schema: type === 'integer' ? { type: 'integer', minimum: 1 } : { type: 'string' }
  }))
}

function operationPath (route: OperationRoute, components: Json): Json {
  const name = pascal(route.kind)
  components.schemas[`${name}Response`] = jsonSchema(route.response, 'output')
  if (route.body !== undefined) {
    components.schemas[`${name}Request`] = jsonSchema(route.body, 'input', [...Object.keys(route.params), 'idempotencyKey'])
  }
  return {
    operationId: route.kind,
    summary: route.summary,
    description: `${route.description}\n\nScope: \`${route.scope}\`.`,
    tags: ['operations'],
    security: [{ bearer: [] }],
    parameters: [...pathParameters(route), ref('parameters', 'IdempotencyKey')],
    ...(route.body === undefined
      ? {}
      : { requestBody: { required: true, content: { 'application/json': { schema: ref('schemas', `${name}Request`) } } } }),
    responses: {
      [String(route.status)]: {
        description: route.status === 201 ? 'Created (a replay answers the same).' : 'Done (a replay answers the same).',
        headers: { 'Idempotent-Replayed': ref('headers', 'IdempotentReplayed') },
        content: { 'application/json': { schema: ref('schemas', `${name}Response`) } }
      },
      ...refusals(REFUSALS)
    }
  }
}

function packageVersion (): string {
  return (JSON.parse(readFileSync(`${ROOT}package.json`, 'utf8')) as { version: string }).version
}

/** The OpenAPI 3.1 document of the REST facade, built once at start-up from the zod schemas. */
export function buildOpenApi (): Json {
  const components: Json = {
    securitySchemes: {
      bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'pgw_…', description: 'A gateway client token.' }
    },
    parameters: {
      IdempotencyKey: {
        name: 'Idempotency-Key',
        in: 'header',
        required: false,
        description: 'Makes the call safe to retry: the same key with the same input answers the stored ' +
          'outcome without calling Pangolin again; with another input it is IDEMPOTENCY_KEY_REUSED (422). ' +
          'Keys are scoped to the client and kept at least 24 hours. A quoted value ("abc") is read as abc.',
        schema: { type: 'string', minLength: 1, maxLength: 257 }
      }
    },
    headers: {
      IdempotentReplayed: {
        description: 'Present, with the value true, when the answer is the stored outcome of an earlier call.',
        schema: { type: 'string', enum: ['true'] }
      }
    },
    responses: problemResponses(),
    schemas: {
      Problem: jsonSchema(schemas.problem, 'output'),
      Operation: jsonSchema(schemas.operation, 'output')
    }
  }

  const paths: Json = {}
  for (const route of OPERATION_ROUTES) {
    const path = openApiPath(route.url)
    paths[path] = { ...paths[path], [route.method.toLowerCase()]: operationPath(route, components) }
  }
  paths['/api/v1/operations/{id}'] = {
    get: {
      operationId: 'getOperation',
      summary: 'Read an operation',
      description: 'The journal entry of a composite operation: status, steps and error. Scope: `read`.',
      tags: ['operations'],
      security: [{ bearer: [] }],
      parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
      responses: {
        200: { description: 'The operation.', content: { 'application/json': { schema: ref('schemas', 'Operation') } } },
        ...refusals([401, 403, 404, 429, 500, 503])
      }
    }
  }

  return {
    openapi: '3.1.0',
    info: {
      title: 'pangolin-gateway REST API',
      version: packageVersion(),
      description: 'The composite operations of pangolin-gateway over REST. Errors are RFC 9457 problem ' +
        'documents (application/problem+json) with the same codes as the GraphQL API.'
    },
    tags: [{ name: 'operations', description: 'Composite, journaled, idempotent operations.' }],
    paths,
    components
  }
}
