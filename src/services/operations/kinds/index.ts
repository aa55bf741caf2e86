import type { AnyKind } from '../kind.js'
import { grantAccess, revokeAccess } from './access.js'
import { createSite } from './create-site.js'
import { decommissionHttpService, deletePrivateResource, deleteSite } from './deletes.js'
import { provisionHttpService } from './provision-http-service.js'
import { provisionPrivateResource } from './provision-private-resource.js'
import { addTargets, removeTarget } from './targets.js'

export const KINDS: readonly AnyKind[] = [
  createSite,
  provisionHttpService,
  provisionPrivateResource,
  addTargets,
  removeTarget,
  grantAccess,
  revokeAccess,
  decommissionHttpService,
  deletePrivateResource,
  deleteSite
]
