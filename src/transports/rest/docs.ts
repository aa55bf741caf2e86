import { ERROR_CODES } from '../../errors.js'

const escape = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)

/**
 * /api/docs: one self-contained page rendered at start-up (no scripts, no outside assets, so it
 * works offline and under a strict Content-Security-Policy). Each error code has an anchor, which
 * is what a problem document's `type` points at.
 */
export function renderDocs (document: Record<string, any>): string {
  const rows: string[] = []
  for (const [path, methods] of Object.entries(document.paths as Record<string, Record<string, any>>)) {
    for (const [method, op] of Object.entries(methods)) {
      const success = Object.keys(op.responses).find((s) => s.startsWith('2')) ?? ''
      rows.push(`<tr><td><code>${method.toUpperCase()}</code></td><td><code>${escape(path)}</code></td>` +
        `<td>${escape(op.summary)}</td><td>${success}</td></tr>`)
    }
  }
  const codes = Object.entries(ERROR_CODES).map(([code, { status, description }]) =>
    `<tr id="${code}"><td><code>${code}</code></td><td>${status}</td><td>${escape(description)}</td></tr>`)

  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${escape(document.info.title)}</title>
<style>
body { font: 15px/1.5 system-ui, sans-serif; max-width: 70rem; margin: 2rem auto; padding: 0 1rem; }
table { border-collapse: collapse; } td, th { border-bottom: 1px solid #ddd; padding: .3rem .8rem; text-align: left; }
pre { background: #f6f6f6; padding: 1rem; overflow: auto; font-size: 13px; }
</style>
</head>
<body>
<h1>${escape(document.info.title)} <small>${escape(document.info.version)}</small></h1>
<p>${escape(document.info.description)}</p>
<p>Machine-readable: <a href="/api/openapi.json">/api/openapi.json</a> (OpenAPI 3.1). Authenticate with
<code>Authorization: Bearer pgw_…</code>; send <code>Idempotency-Key</code> to make a call safe to retry.</p>
<h2>Routes</h2>
<table><tr><th>Method</th><th>Path</th><th>What</th><th>Success</th></tr>
${rows.join('\n')}
</table>
<h2>Error codes</h2>
<table><tr><th>Code</th><th>Status</th><th>Meaning</th></tr>
${codes.join('\n')}
</table>
<h2>Document</h2>
<pre>${escape(JSON.stringify(document, null, 2))}</pre>
</body>
</html>
`
}
