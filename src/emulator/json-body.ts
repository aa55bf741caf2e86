/**
 * express.json() semantics: an empty body is `{}`, and in strict mode only objects and arrays are
 * accepted, with a SyntaxError worded the way body-parser words it.
 */

const FIRST_CHAR = /^[ \t\n\r]*([^ \t\n\r])/
const PLACEHOLDER = '#'

/** body-parser's `createStrictSyntaxError`: V8's message about the first unexpected character. */
function strictSyntaxError (text: string, char: string): SyntaxError {
  const index = text.indexOf(char)
  const partial = index === -1 ? '' : text.slice(0, index) + PLACEHOLDER.repeat(text.length - index)
  try {
    JSON.parse(partial)
  } catch (err) {
    const message = (err as Error).message.replace(/#+/, (placeholder) =>
      text.slice(index, index + placeholder.length))
    return new SyntaxError(message)
  }
  return new SyntaxError('strict violation')
}

export function parseJsonBody (text: string): unknown {
  if (text.length === 0) return {}
  const first = FIRST_CHAR.exec(text)?.[1]
  if (first !== undefined && first !== '{' && first !== '[') throw strictSyntaxError(text, first)
  return JSON.parse(text)
}
