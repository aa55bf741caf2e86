import { readFileSync } from 'node:fs'
import t from 'tap'
import { ERROR_CODES } from '../src/errors.js'
import { ROOT } from '../src/paths.js'

t.test('every error code is documented in the README error table with its status', async (t) => {
  const readme = readFileSync(`${ROOT}README.md`, 'utf8')
  const codes = Object.keys(ERROR_CODES)
  t.equal(codes.length, 14, 'the codes of product.md section 4')
  for (const [code, { status }] of Object.entries(ERROR_CODES)) {
    t.match(readme, new RegExp(`^\\| \`${code}\` \\| ${status} \\|`, 'm'), code)
  }
})
