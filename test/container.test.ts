import { readFileSync } from 'node:fs'
import t from 'tap'
import { parse } from 'yaml'
import { envSchema } from '../src/config/env.js'
import { ROOT } from '../src/paths.js'

interface Service {
  build?: unknown
  image?: string
  ports?: string[]
  environment?: Record<string, string>
  profiles?: string[]
  depends_on?: Record<string, unknown>
  healthcheck?: unknown
  command?: string[]
}

const compose = parse(readFileSync(`${ROOT}docker-compose.yml`, 'utf8')) as { services: Record<string, Service> }
const dockerfile = readFileSync(`${ROOT}Dockerfile`, 'utf8')
/** Instructions with their continuation lines joined, comments dropped. */
const instructions = dockerfile.replace(/\\\n\s*/g, ' ').split('\n').map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#'))

t.test('compose has the gateway, PostgreSQL, Redis, and the emulator only under the demo profile', async (t) => {
  const { services } = compose
  t.same(Object.keys(services).sort(), ['emulator', 'gateway', 'postgres', 'redis'])
  t.same(services.emulator!.profiles, ['demo'])
  for (const name of ['gateway', 'postgres', 'redis']) t.equal(services[name]!.profiles, undefined, `${name} always runs`)
  t.same(services.gateway!.ports, ['8080:8080'])
  t.same(services.emulator!.ports, ['3003:3003'])
  t.same(Object.keys(services.gateway!.depends_on ?? {}).sort(), ['postgres', 'redis'])
  t.ok(services.postgres!.healthcheck && services.redis!.healthcheck)
})

t.test('every variable compose gives the gateway is one the configuration schema reads', async (t) => {
  const env = compose.services.gateway!.environment ?? {}
  const known = Object.keys(envSchema.shape)
  const names = Object.keys(env)
  t.ok(names.length >= 8)
  t.same(names.filter((n) => !known.includes(n)), [], 'no unknown variable')
  t.equal(env.PORT, '8080', 'the port the gateway listens on is the one published')
  t.match(env.DATABASE_URL, /^postgres:\/\/[^@]+@postgres:5432\//)
  t.match(env.REDIS_URL, /^redis:\/\/redis:6379/)
  t.match(env.PANGOLIN_URL, /http:\/\/emulator:3003\/v1/)
  t.match(env.PANGOLIN_API_KEY, /^\$\{PANGOLIN_API_KEY:\?/, 'the key comes from the operator, never from the file')
  t.match(env.GATEWAY_TOKEN_SECRET, /^\$\{GATEWAY_TOKEN_SECRET:\?/)
  // The literal values must pass the same checks as at start-up.
  const literal = Object.fromEntries(Object.entries(env).filter(([, v]) => !v.includes('${')))
  t.ok(envSchema.safeParse(literal).success, 'literal values are valid')
})

t.test('the Dockerfile builds in one stage like CI and runs as a non-root user with a health check', async (t) => {
  const stages = instructions.filter((l) => /^FROM /i.test(l))
  t.ok(stages.length >= 2, 'multi-stage')
  t.match(stages[0], /^FROM \S+ AS build$/i)
  t.match(stages.at(-1), /^FROM node:20-\S*slim AS \w+$/i)
  const runs = instructions.filter((l) => /^RUN /i.test(l)).join('\n')
  t.match(runs, /npm ci\b/)
  t.match(runs, /npm run build\b/)
  t.match(runs, /npm prune --omit=dev/)
  const ci = readFileSync(`${ROOT}.ci/run`, 'utf8')
  t.match(ci, /npm ci\b/, 'CI installs with npm ci too')
  t.match(ci, /npm run build\b/, 'and builds with npm run build')

  const runtime = instructions.slice(instructions.lastIndexOf(stages.at(-1)!))
  const user = runtime.find((l) => /^USER /i.test(l))
  t.ok(user, 'a USER in the runtime stage')
  t.notMatch(user, /^USER (root|0)(:|$)/i)
  t.match(runtime.find((l) => /^HEALTHCHECK /i.test(l)), /\/healthz/)
  t.ok(runtime.includes('EXPOSE 8080'))
  t.match(runtime.find((l) => /^CMD /i.test(l)), /"serve"/)
  t.notOk(runtime.some((l) => /COPY --from=build \S*\/dist(\s|$)/.test(l)), 'compiled tests stay in the build stage')
})
