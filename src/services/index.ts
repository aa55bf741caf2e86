import type { Logger } from 'pino'
import type { Database } from '../store/database.js'
import { AuditRepo } from '../store/audit-repo.js'
import { ClientsRepo } from '../store/clients-repo.js'
import { OperationsRepo } from '../store/operations-repo.js'
import type { PangolinClient } from '../upstream/types.js'
import { AdminService } from './admin.js'
import { AuditLog } from './audit.js'
import { Catalog } from './catalog.js'
import { ClientService } from './clients.js'
import type { EngineOptions } from './operations/engine.js'
import { OperationsService } from './operations/index.js'
import { OrgIndex } from './org-index.js'

export interface Services {
  catalog: Catalog
  clients: ClientService
  audit: AuditLog
  admin: AdminService
  operations: OperationsService
}

export interface OperationSettings {
  leaseMs?: number
  settleMs?: number
  retentionMs?: number
  backoffMs?: number
  metrics?: EngineOptions['metrics']
}

export function createServices (deps: { database: Database, pangolin: PangolinClient, tokenSecret: string, logger: Logger, operations?: OperationSettings }): Services {
  const clients = new ClientService(new ClientsRepo(deps.database.db), deps.tokenSecret)
  const audit = new AuditLog(new AuditRepo(deps.database.db), deps.logger)
  const index = new OrgIndex()
  return {
    catalog: new Catalog(deps.pangolin, index),
    clients,
    audit,
    admin: new AdminService(clients, audit),
    operations: new OperationsService({
      repo: new OperationsRepo(deps.database.db),
      pangolin: deps.pangolin,
      audit,
      logger: deps.logger,
      secret: deps.tokenSecret,
      index,
      ...deps.operations
    })
  }
}
