import t from 'tap'
import { graphqlAt, processFixture, startGatewayProcess } from '../helpers/process.js'

t.test('SIGTERM while a slow request is in flight: the request completes, new ones are refused, exit 0', async (t) => {
  const { emulator, token, env } = await processFixture(t, { name: 'drain', scopes: ['read'] })
  const gateway = await startGatewayProcess({ ...env, SHUTDOWN_DEADLINE_MS: '5000' })
  t.teardown(() => { gateway.child.kill('SIGKILL') })

  emulator.faults.add({ method: 'GET', route: '/org/:orgId/roles', kind: 'delay', delayMs: 1500 })
  const slow = graphqlAt(gateway.url, token, '{ org(orgId: "acme") { roles { name } } }')
  await new Promise((resolve) => setTimeout(resolve, 400))
  const sentAt = Date.now()
  gateway.child.kill('SIGTERM')
  await new Promise((resolve) => setTimeout(resolve, 200))

  const late = await graphqlAt(gateway.url, token, '{ viewer { name } }').then((r) => r.status, () => 'refused')
  t.not(late, 200, `a request after SIGTERM is not served (${late})`)

  const answer = await slow
  t.equal(answer.status, 200)
  t.ok(answer.body.data.org.roles.length > 0, 'the in-flight request got its full answer')
  const code = await gateway.exited
  t.equal(code, 0, code === 0 ? 'exit 0' : gateway.lines.slice(-6).join('\n'))
  t.ok(Date.now() - sentAt < 5000, 'exit came with the drain, not at the deadline')
  const messages = gateway.lines.map((l) => JSON.parse(l).msg)
  t.ok(messages.includes('shutting down'))
  t.ok(messages.includes('shut down'))
})
