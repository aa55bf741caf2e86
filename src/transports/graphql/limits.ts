import { costLimitRule } from '@escape.tech/graphql-armor-cost-limit'
import { maxAliasesRule } from '@escape.tech/graphql-armor-max-aliases'
import { maxDepthRule } from '@escape.tech/graphql-armor-max-depth'
import { GraphQLError, type ValidationContext, type ValidationRule } from 'graphql'
import type { GraphqlLimits } from '../../config/index.js'

export const QUERY_TOO_COMPLEX = 'QUERY_TOO_COMPLEX'

/**
 * graphql-js aborts parsing past `maxTokens` with a syntax error of this wording (the typo is
 * graphql-js's own); the error formatter recognises it and answers QUERY_TOO_COMPLEX.
 */
export const TOO_MANY_TOKENS = /^Syntax Error: Document contains more th(?:an|at) \d+ tokens/

/**
 * graphql-armor's rules throw out of `validate` by default; reporting instead keeps the error in
 * the validation list, where it carries our code and reaches the client like any other.
 */
function reject (context: ValidationContext | null, error: GraphQLError): void {
  if (context === null) throw error
  const message = error.message.replace(/^Syntax Error: /, '')
  context.reportError(new GraphQLError(message, { extensions: { code: QUERY_TOO_COMPLEX } }))
}

const shared = { propagateOnRejection: false, onReject: [reject], exposeLimits: true }

/** Depth, alias and cost limits as validation rules; the token limit is a parse option. */
export function limitRules (limits: GraphqlLimits): ValidationRule[] {
  return [
    maxDepthRule({ ...shared, n: limits.maxDepth }),
    maxAliasesRule({ ...shared, n: limits.maxAliases }),
    costLimitRule({ ...shared, maxCost: limits.maxCost })
  ] as unknown as ValidationRule[]
}
