/**
 * A minimal OpenAPI document, enough for a client to tell the generations apart the documented
 * way: the createResource body has `mode` only in the mode generation.
 */
import type { Generation } from './route.js'

export function openApiDocument (generation: Generation): Record<string, unknown> {
  const properties: Record<string, unknown> = {
    name: { type: 'string' },
    domainId: { type: 'string' },
    subdomain: { type: 'string', nullable: true },
    http: { type: 'boolean' },
    protocol: { type: 'string', enum: ['tcp', 'udp'] },
    proxyPort: { type: 'integer' },
    stickySession: { type: 'boolean' },
    postAuthPath: { type: 'string', nullable: true }
  }
  if (generation === 'mode') {
    properties.mode = { type: 'string', enum: ['http', 'ssh', 'rdp', 'vnc', 'tcp', 'udp', 'inference'] }
  }
  return {
    openapi: '3.0.0',
    info: { title: 'Pangolin Integration API', version: 'v1' },
    servers: [{ url: '/v1' }],
    paths: {
      '/org/{orgId}/resource': {
        put: {
          requestBody: { content: { 'application/json': { schema: { type: 'object', properties } } } }
        }
      }
    }
  }
}
