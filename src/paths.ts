import { fileURLToPath } from 'node:url'

/** The package root, from dist/src/paths.js or src/paths.ts alike. */
export const ROOT = fileURLToPath(new URL(import.meta.url.includes('/dist/') ? '../../' : '../', import.meta.url))
export const SCHEMA_PATH = `${ROOT}schema.graphql`
