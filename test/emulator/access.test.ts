import t from 'tap'
import { build, call, SEED_KEYS } from './fixtures/emulator.js'

// Seeded roles: acme Admin 1, Member 2, Developers 3; globex Admin 4, Member 5, Developers 6.

t.test('adding a role answers 201 and a repeat is 409', async (t) => {
  const emu = await build(t)
  const first = await call(emu, 'POST', '/resource/2/roles/add', { body: { roleId: 3 } })
  t.equal(first.status, 201)
  t.same(first.json.data, {})
  const again = await call(emu, 'POST', '/resource/2/roles/add', { body: { roleId: 3 } })
  t.equal(again.status, 409)
  t.equal(again.json.message, 'Role already assigned to resource')
})

t.test('removing an absent role is 404 Role not found in resource', async (t) => {
  const emu = await build(t)
  const res = await call(emu, 'POST', '/public-resource/2/roles/remove', { body: { roleId: 3 } })
  t.equal(res.status, 404)
  t.equal(res.json.message, 'Role not found in resource')
})

t.test('the admin role cannot be assigned', async (t) => {
  const emu = await build(t)
  const res = await call(emu, 'POST', '/resource/2/roles/add', { body: { roleId: 1 } })
  t.equal(res.status, 400)
  t.equal(res.json.message, 'Admin role cannot be assigned to resources')
})

t.test('a role of another org is 403 for an org key', async (t) => {
  const emu = await build(t)
  const res = await call(emu, 'POST', '/resource/2/roles/add', { body: { roleId: 5 } })
  t.equal(res.status, 403)
  t.equal(res.json.message, 'Key does not have access to organization for role ID 5')
})

t.test('a role of another org is 404 for a root key', async (t) => {
  const emu = await build(t)
  const res = await call(emu, 'POST', '/resource/2/roles/add', { key: SEED_KEYS.root, body: { roleId: 5 } })
  t.equal(res.status, 404)
  t.equal(res.json.message, 'Role not found or does not belong to the same organization')
})

t.test('a repeated role id in a set is 404 One or more roles not found', async (t) => {
  const emu = await build(t)
  const res = await call(emu, 'POST', '/resource/2/roles', { body: { roleIds: [2, 2] } })
  t.equal(res.status, 404)
  t.equal(res.json.message, 'One or more roles not found')
})

t.test('setting roles keeps the admin role and replaces the others', async (t) => {
  const emu = await build(t)
  const res = await call(emu, 'POST', '/resource/1/roles', { body: { roleIds: [3] } })
  t.equal(res.status, 201)
  t.same(emu.state.roleResources.filter((g) => g.resourceId === 1).map((g) => g.roleId).sort(), [1, 3])
})

t.test('adding a user twice is 409 and removing an absent one is 404', async (t) => {
  const emu = await build(t)
  t.equal((await call(emu, 'POST', '/resource/1/users/add', { body: { userId: 'aliceacme000001' } })).status, 201)
  const again = await call(emu, 'POST', '/resource/1/users/add', { body: { userId: 'aliceacme000001' } })
  t.equal(again.json.message, 'User already assigned to resource')
  const absent = await call(emu, 'POST', '/resource/1/users/remove', { body: { userId: 'bobacme00000001' } })
  t.equal(absent.status, 404)
  t.equal(absent.json.message, 'User not found in resource')
})

t.test('a user outside the key org is 403', async (t) => {
  const emu = await build(t)
  const res = await call(emu, 'POST', '/resource/1/users/add', { body: { userId: 'carolglobex0001' } })
  t.equal(res.status, 403)
  t.equal(res.json.message, 'Key does not have access to one or more specified users')
})

t.test('site-resource grants use their own words', async (t) => {
  const emu = await build(t)
  const again = await call(emu, 'POST', '/site-resource/1/roles/add', { body: { roleId: 3 } })
  t.equal(again.status, 409)
  t.equal(again.json.message, 'Role already assigned to site resource')
  const removed = await call(emu, 'POST', '/private-resource/1/roles/remove', { body: { roleId: 3 } })
  t.equal(removed.status, 200)
  t.equal(removed.json.message, 'Role removed from site resource successfully')
  const admin = await call(emu, 'POST', '/site-resource/1/roles/remove', { body: { roleId: 1 } })
  t.equal(admin.json.message, 'Admin role cannot be removed from site resources')
  const user = await call(emu, 'POST', '/site-resource/1/users/remove', { body: { userId: 'aliceacme000001' } })
  t.equal(user.json.message, 'User not found in site resource')
})
