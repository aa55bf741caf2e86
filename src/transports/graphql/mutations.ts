import type { IResolvers, MercuriusContext } from 'mercurius'
import type { OperationRow } from '../../store/operations-repo.js'
import type { Logger } from 'pino'

type Args = Record<string, any>
type Shape = (result: any) => Record<string, unknown>

/**
 * Each composite mutation is one call into the operations service; the resolver only picks the
 * input out of the arguments and shapes the payload.
 */
function operation (kind: string, shape: Shape = (r) => r) {
  return async (_: unknown, args: Args, ctx: MercuriusContext) => {
    const input = args.input ?? args
    const outcome = await ctx.services.operations.run(kind, ctx.principal, input, {
      idempotencyKey: input.idempotencyKey ?? null,
      requestId: ctx.requestId,
      log: ctx.reply.request.log as unknown as Logger
    })
    return { ...shape(outcome.result), operation: outcome.operation, replayed: outcome.replayed }
  }
}

export function mutationResolvers (): IResolvers {
  return {
    Mutation: {
      createSite: operation('createSite'),
      provisionHttpService: operation('provisionHttpService'),
      provisionPrivateResource: operation('provisionPrivateResource'),
      addTargets: operation('addTargets'),
      removeTarget: operation('removeTarget'),
      grantAccess: operation('grantAccess'),
      revokeAccess: operation('revokeAccess'),
      decommissionHttpService: operation('decommissionHttpService', (r) => ({ resourceId: r.id, removedTargets: r.removedTargets, alreadyGone: r.alreadyGone })),
      deletePrivateResource: operation('deletePrivateResource'),
      deleteSite: operation('deleteSite')
    },

    Operation: {
      steps: async (op: OperationRow, _: Args, ctx: MercuriusContext) => (await ctx.services.operations.view(op)).steps,
      error: (op: OperationRow) => op.errorCode === null ? null : { code: op.errorCode, message: op.errorMessage ?? '' }
    }
  }
}
