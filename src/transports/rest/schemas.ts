import { z } from 'zod'
import { ERROR_CODES } from '../../errors.js'

/*
 * What the REST routes answer, as zod schemas. They describe the payloads the operations service
 * already returns (nothing is parsed through them at run time); the OpenAPI document is generated
 * from them, and the tests check real answers against them.
 */

const int = z.int()

export const site = z.object({
  siteId: int,
  niceId: z.string(),
  name: z.string(),
  type: z.string(),
  online: z.boolean().nullable(),
  address: z.string().nullable(),
  orgId: z.string()
})

export const target = z.object({
  targetId: int,
  resourceId: int,
  siteId: int,
  ip: z.string(),
  port: int,
  method: z.string().nullish(),
  enabled: z.boolean(),
  healthStatus: z.string().nullable(),
  siteNiceId: z.string().optional(),
  siteName: z.string().optional()
})

export const resource = z.object({
  resourceId: int,
  niceId: z.string(),
  name: z.string(),
  protocol: z.string(),
  fullDomain: z.string().nullable(),
  subdomain: z.string().nullish(),
  domainId: z.string().nullable(),
  proxyPort: int.nullable(),
  enabled: z.boolean(),
  sso: z.boolean(),
  orgId: z.string(),
  targets: z.array(target).optional()
})

export const privateResource = z.object({
  siteResourceId: int,
  niceId: z.string(),
  name: z.string(),
  mode: z.string(),
  siteIds: z.array(int).optional(),
  destination: z.string().nullable(),
  alias: z.string().nullable(),
  tcpPortRangeString: z.string().nullable(),
  udpPortRangeString: z.string().nullable(),
  disableIcmp: z.boolean(),
  enabled: z.boolean(),
  orgId: z.string()
})

export const role = z.object({ roleId: int, name: z.string(), description: z.string().nullable(), isAdmin: z.boolean() })
export const user = z.object({ userId: z.string(), email: z.string().nullable(), username: z.string(), name: z.string().nullable() })

export const operation = z.object({
  id: z.string(),
  kind: z.string(),
  status: z.enum(['RUNNING', 'SUCCEEDED', 'ROLLED_BACK', 'NEEDS_ATTENTION']),
  orgId: z.string(),
  clientId: z.string(),
  idempotencyKey: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
  steps: z.array(z.object({
    seq: int,
    name: z.string(),
    action: z.string(),
    status: z.string().meta({ description: 'PENDING (sent, answer not recorded), DONE, FAILED or UNDONE (compensated).' }),
    upstreamId: z.string().nullable(),
    naturalKey: z.string().meta({ description: 'The natural key the step is found by, as JSON.' }),
    errorCode: z.string().nullable()
  })),
  error: z.object({ code: z.string(), message: z.string() }).nullable()
})
export type OperationBody = z.infer<typeof operation>

/** Null only when a delete found its object already gone: nothing was done or journaled. */
const maybeOperation = operation.nullable()

export const createSiteResponse = z.object({
  site,
  newtCredentials: z.object({
    newtId: z.string(),
    secret: z.string().meta({ description: 'The Newt secret. Returned by this call (and its replays) only; never stored or logged.' })
  }),
  operation
})

export const provisionHttpServiceResponse = z.object({ resource, targets: z.array(target), operation })
export const provisionPrivateResourceResponse = z.object({ privateResource, operation })
export const addTargetsResponse = z.object({ resourceId: int, targets: z.array(target), operation })
export const accessResponse = z.object({
  resourceId: int.nullable(),
  siteResourceId: int.nullable(),
  roles: z.array(role),
  users: z.array(user),
  operation
})
export const decommissionResponse = z.object({
  resourceId: int,
  removedTargets: int,
  alreadyGone: z.boolean(),
  operation: maybeOperation
})
export const deleteResponse = z.object({ id: int, alreadyGone: z.boolean(), operation: maybeOperation })
export const removeTargetResponse = z.object({ targetId: int, resourceId: int, operation })

const codes = Object.keys(ERROR_CODES) as [keyof typeof ERROR_CODES, ...Array<keyof typeof ERROR_CODES>]

/** RFC 9457 problem details, with the gateway's code and the error's extensions beside them. */
export const problem = z.looseObject({
  type: z.string().meta({ description: 'A URI reference to the code\'s entry in /api/docs.' }),
  title: z.string(),
  status: int,
  detail: z.string(),
  code: z.enum(codes),
  requestId: z.string(),
  field: z.string().optional().meta({ description: 'The input field at fault, as a path such as targets[1].port.' }),
  issues: z.array(z.object({ field: z.string(), message: z.string() })).optional(),
  operationId: z.string().optional(),
  existingResourceId: int.optional(),
  retryAfter: int.optional().meta({ description: 'Seconds; also sent as the Retry-After header.' })
})
export type Problem = z.infer<typeof problem>
