import type { z } from 'zod'
import type { Scope } from '../../auth/scopes.js'
import type { OperationView } from '../../services/operations/index.js'
import {
  accessInput, addTargetsInput, createSiteInput, provisionHttpServiceInput, provisionPrivateResourceInput
} from '../../services/operations/inputs.js'
import * as schemas from './schemas.js'

type Result = Record<string, any>

/**
 * One REST route onto one operation kind. The table drives both the Fastify routes and the
 * OpenAPI document, so the two cannot drift apart.
 */
export interface OperationRoute {
  method: 'POST' | 'DELETE'
  /** Fastify's syntax, below the /api prefix. */
  url: string
  kind: string
  scope: Scope
  /** 201 where the call creates something, 200 otherwise; a replay answers the same status. */
  status: 200 | 201
  summary: string
  description: string
  /** The service's own input schema; path fields and `idempotencyKey` are left out of the body. */
  body?: z.ZodType
  /** Path parameters: each becomes the input field of the same name. */
  params: Record<string, 'string' | 'integer'>
  response: z.ZodType
  /** The service's result as the response body, less the operation (added by the plugin). */
  shape: (result: Result) => Result
}

const same = (r: Result) => r
const deleted = (r: Result) => ({ id: r.id, alreadyGone: r.alreadyGone })

const EXACTLY_ONE = 'Give exactly one of each pair: '

export const OPERATION_ROUTES: readonly OperationRoute[] = [
  {
    method: 'POST',
    url: '/v1/orgs/:orgId/sites',
    kind: 'createSite',
    scope: 'provision',
    status: 201,
    summary: 'Create a Newt site',
    description: 'Picks the site defaults and creates a Newt site. The Newt secret is in this answer only ' +
      '(and in replays of it); the gateway never stores or logs it.',
    body: createSiteInput,
    params: { orgId: 'string' },
    response: schemas.createSiteResponse,
    shape: same
  },
  {
    method: 'POST',
    url: '/v1/orgs/:orgId/http-services',
    kind: 'provisionHttpService',
    scope: 'provision',
    status: 201,
    summary: 'Provision a public HTTP service',
    description: 'Creates a resource, its targets and its access grants as one operation; on failure ' +
      `everything it created is removed. ${EXACTLY_ONE}domainId | baseDomain, and siteId | siteNiceId ` +
      'per target. A fullDomain that is already served is CONFLICT with existingResourceId.',
    body: provisionHttpServiceInput,
    params: { orgId: 'string' },
    response: schemas.provisionHttpServiceResponse,
    shape: same
  },
  {
    method: 'POST',
    url: '/v1/orgs/:orgId/private-resources',
    kind: 'provisionPrivateResource',
    scope: 'provision',
    status: 201,
    summary: 'Provision a private resource',
    description: `A private resource (site resource) with its grants. ${EXACTLY_ONE}siteId | siteNiceId. ` +
      'Both port strings are required: "*" for all ports, "" for none.',
    body: provisionPrivateResourceInput,
    params: { orgId: 'string' },
    response: schemas.provisionPrivateResourceResponse,
    shape: same
  },
  {
    method: 'POST',
    url: '/v1/http-services/:resourceId/targets',
    kind: 'addTargets',
    scope: 'provision',
    status: 201,
    summary: 'Add targets to a public resource',
    description: `${EXACTLY_ONE}siteId | siteNiceId per target. A target the resource already has is CONFLICT.`,
    body: addTargetsInput,
    params: { resourceId: 'integer' },
    response: schemas.addTargetsResponse,
    shape: same
  },
  {
    method: 'DELETE',
    url: '/v1/http-services/:resourceId',
    kind: 'decommissionHttpService',
    scope: 'delete',
    status: 200,
    summary: 'Decommission a public HTTP service',
    description: 'Removes the targets, then the resource. A resource that is already gone counts as done ' +
      '(alreadyGone: true, operation: null).',
    params: { resourceId: 'integer' },
    response: schemas.decommissionResponse,
    shape: (r) => ({ resourceId: r.id, removedTargets: r.removedTargets, alreadyGone: r.alreadyGone })
  },
  {
    method: 'DELETE',
    url: '/v1/targets/:targetId',
    kind: 'removeTarget',
    scope: 'delete',
    status: 200,
    summary: 'Remove one target',
    description: 'Deletes a target of a public resource.',
    params: { targetId: 'integer' },
    response: schemas.removeTargetResponse,
    shape: same
  },
  {
    method: 'DELETE',
    url: '/v1/private-resources/:siteResourceId',
    kind: 'deletePrivateResource',
    scope: 'delete',
    status: 200,
    summary: 'Delete a private resource',
    description: 'A private resource that is already gone counts as done (alreadyGone: true, operation: null).',
    params: { siteResourceId: 'integer' },
    response: schemas.deleteResponse,
    shape: deleted
  },
  {
    method: 'DELETE',
    url: '/v1/sites/:siteId',
    kind: 'deleteSite',
    scope: 'delete',
    status: 200,
    summary: 'Delete a site',
    description: 'A site that is already gone counts as done (alreadyGone: true, operation: null).',
    params: { siteId: 'integer' },
    response: schemas.deleteResponse,
    shape: deleted
  },
  {
    method: 'POST',
    url: '/v1/access/grants',
    kind: 'grantAccess',
    scope: 'grant',
    status: 200,
    summary: 'Grant roles and users access',
    description: `${EXACTLY_ONE}resourceId | siteResourceId; name at least one role or user. Names and ` +
      'emails are resolved to ids. Granting what is granted succeeds.',
    body: accessInput,
    params: {},
    response: schemas.accessResponse,
    shape: same
  },
  {
    method: 'POST',
    url: '/v1/access/revocations',
    kind: 'revokeAccess',
    scope: 'grant',
    status: 200,
    summary: 'Revoke access from roles and users',
    description: `${EXACTLY_ONE}resourceId | siteResourceId; name at least one role or user. Revoking what ` +
      'is absent succeeds.',
    body: accessInput,
    params: {},
    response: schemas.accessResponse,
    shape: same
  }
]

/**
 * A path id as the service expects it: digits become a number; anything else is passed as sent,
 * so the service's own schema refuses it with its usual message (`resourceId: must be an integer`).
 */
export function pathValue (value: string, type: 'string' | 'integer'): string | number {
  return type === 'integer' && /^\d{1,15}$/.test(value) ? Number(value) : value
}

/** The journal row as clients see it: no input, plan or stored result. */
export function presentOperation (view: OperationView): schemas.OperationBody {
  return {
    id: view.id,
    kind: view.kind,
    status: view.status,
    orgId: view.orgId,
    clientId: view.clientId,
    idempotencyKey: view.idempotencyKey,
    createdAt: view.createdAt,
    updatedAt: view.updatedAt,
    steps: view.steps,
    error: view.errorCode === null ? null : { code: view.errorCode, message: view.errorMessage ?? '' }
  }
}
