import type { CreateTableBuilder, Kysely, Migration } from 'kysely'

export type Dialect = 'sqlite' | 'postgres'

/** The one column type that differs: an auto-incrementing key, for stable cursor order. */
function withSequence<T extends string> (table: CreateTableBuilder<T, never>, dialect: Dialect) {
  return dialect === 'postgres'
    ? table.addColumn('seq', 'bigserial', (c) => c.primaryKey())
    : table.addColumn('seq', 'integer', (c) => c.primaryKey().autoIncrement())
}

/**
 * Migrations live in code, keyed by a sortable name, so that a built image carries them and both
 * dialects run the same list. Never edit one that has shipped: add the next.
 */
export function buildMigrations (dialect: Dialect): Record<string, Migration> {
  return {
    '0001_clients_and_audit': {
      async up (db: Kysely<any>) {
        await db.schema.createTable('clients')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('name', 'text', (c) => c.notNull())
          .addColumn('token_hash', 'text', (c) => c.notNull().unique())
          .addColumn('orgs', 'text', (c) => c.notNull())
          .addColumn('scopes', 'text', (c) => c.notNull())
          .addColumn('created_at', 'text', (c) => c.notNull())
          .addColumn('revoked_at', 'text')
          .addColumn('last_used_at', 'text')
          .execute()

        await withSequence(db.schema.createTable('audit_events'), dialect)
          .addColumn('id', 'text', (c) => c.notNull().unique())
          .addColumn('at', 'text', (c) => c.notNull())
          .addColumn('client_id', 'text')
          .addColumn('client_name', 'text')
          .addColumn('org_id', 'text')
          .addColumn('kind', 'text', (c) => c.notNull())
          .addColumn('input', 'text')
          .addColumn('outcome', 'text', (c) => c.notNull())
          .addColumn('error_code', 'text')
          .addColumn('operation_id', 'text')
          .addColumn('request_id', 'text')
          .addColumn('pangolin_ids', 'text')
          .execute()
        await db.schema.createIndex('audit_events_org').on('audit_events').columns(['org_id', 'seq']).execute()
        await db.schema.createIndex('audit_events_client').on('audit_events').columns(['client_id', 'seq']).execute()
      },
      async down (db: Kysely<any>) {
        await db.schema.dropTable('audit_events').execute()
        await db.schema.dropTable('clients').execute()
      }
    },
    '0002_operations': {
      async up (db: Kysely<any>) {
        await db.schema.createTable('operations')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('kind', 'text', (c) => c.notNull())
          .addColumn('org_id', 'text', (c) => c.notNull())
          .addColumn('client_id', 'text', (c) => c.notNull())
          .addColumn('idempotency_key', 'text')
          .addColumn('fingerprint', 'text', (c) => c.notNull())
          .addColumn('input', 'text', (c) => c.notNull())
          .addColumn('plan', 'text')
          .addColumn('status', 'text', (c) => c.notNull())
          .addColumn('phase', 'text', (c) => c.notNull())
          .addColumn('lease_owner', 'text')
          .addColumn('lease_expires_at', 'text')
          .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('next_attempt_at', 'text')
          .addColumn('result', 'text')
          .addColumn('error_code', 'text')
          .addColumn('error_message', 'text')
          .addColumn('created_at', 'text', (c) => c.notNull())
          .addColumn('updated_at', 'text', (c) => c.notNull())
          .addColumn('expires_at', 'text', (c) => c.notNull())
          .execute()
        // One operation per client and key, whichever replica inserts first: the database decides.
        await db.schema.createIndex('operations_idempotency').unique().on('operations')
          .columns(['client_id', 'idempotency_key']).execute()
        await db.schema.createIndex('operations_status').on('operations').columns(['status', 'lease_expires_at']).execute()
        await db.schema.createIndex('operations_org').on('operations').columns(['org_id', 'created_at']).execute()

        await db.schema.createTable('operation_steps')
          .addColumn('operation_id', 'text', (c) => c.notNull().references('operations.id').onDelete('cascade'))
          .addColumn('seq', 'integer', (c) => c.notNull())
          .addColumn('name', 'text', (c) => c.notNull())
          .addColumn('action', 'text', (c) => c.notNull())
          .addColumn('natural_key', 'text', (c) => c.notNull())
          .addColumn('parent', 'text')
          .addColumn('status', 'text', (c) => c.notNull())
          .addColumn('upstream_id', 'text')
          .addColumn('error_code', 'text')
          .addColumn('updated_at', 'text', (c) => c.notNull())
          .addPrimaryKeyConstraint('operation_steps_pk', ['operation_id', 'seq'])
          .addUniqueConstraint('operation_steps_name', ['operation_id', 'name'])
          .execute()
      },
      async down (db: Kysely<any>) {
        await db.schema.dropTable('operation_steps').execute()
        await db.schema.dropTable('operations').execute()
      }
    },
    '0003_operation_error_extensions': {
      async up (db: Kysely<any>) {
        await db.schema.alterTable('operations').addColumn('error_extensions', 'text').execute()
      },
      async down (db: Kysely<any>) {
        await db.schema.alterTable('operations').dropColumn('error_extensions').execute()
      }
    }
  }
}
