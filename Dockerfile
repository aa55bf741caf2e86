# syntax=docker/dockerfile:1
# The same steps as .ci/run: npm ci from the lockfile, then npm run build; dev dependencies are
# pruned before anything is copied into the runtime image.

FROM node:20-bookworm-slim AS build
# better-sqlite3 compiles its native addon during npm ci.
RUN apt-get update \
  && apt-get install -y --no-install-recommends python3 make g++ \
  && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build \
  && npm prune --omit=dev --no-audit --no-fund

FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=8080 \
    DATABASE_URL=sqlite:/app/data/gateway.db
WORKDIR /app
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/schema.graphql ./schema.graphql
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist/src ./dist/src
# The image's own user (uid 1000) owns only the data folder; the code stays read-only to it.
RUN mkdir -p /app/data && chown node:node /app/data
USER node
EXPOSE 8080
HEALTHCHECK --interval=15s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 8080) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# SIGTERM drains requests and hands running operations to recovery (SHUTDOWN_DEADLINE_MS).
STOPSIGNAL SIGTERM
CMD ["node", "dist/src/cli/main.js", "serve"]
