# The one Node image of the demo. It runs every TypeScript component by command:
#   worker     node --import tsx pipeline/src/cli/main.ts worker pipeline/src/stock/stockPipeline.ts
#   producer   node --import tsx producer/src/cli.ts ...
#   dashboard  node --import tsx dashboard/src/main.ts
#   deployer   node --import tsx flink/src/cli.ts deploy ...
#   migrate    npm run db:migrate
# TypeScript runs through tsx (the repository has no build step), so tsx and esbuild are
# the only dev packages kept in the runtime image.

# Node 24 LTS (maintained to April 2028) on Debian 12; the code also runs on Node 20.19+, the local machines' Node.
ARG NODE_IMAGE=node:24.22.3-bookworm-slim

# ---- all dependencies, from the lock file ----
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
COPY common/package.json common/package.json
COPY producer/package.json producer/package.json
COPY pipeline/package.json pipeline/package.json
COPY flink/package.json flink/package.json
COPY dashboard/package.json dashboard/package.json
COPY workshop/package.json workshop/package.json
# --ignore-scripts: nothing here needs an install script, and none may download binaries.
# The lock file lists every platform's packages, so `npm ci` needs no fallback. npm has been
# seen to exit 0 after "Exit handler never called!" with packages missing, so `npm ls` then
# checks that every locked package is really there and fails the build if one is not.
RUN --mount=type=cache,target=/root/.npm \
    npm ci --ignore-scripts --no-audit --no-fund \
    && npm ls --all >/dev/null

# ---- production dependencies only ----
FROM deps AS prod-deps
RUN npm prune --omit=dev --ignore-scripts --no-audit --no-fund \
    && mkdir -p common/node_modules producer/node_modules pipeline/node_modules flink/node_modules dashboard/node_modules

# ---- runtime ----
FROM ${NODE_IMAGE}
ENV NODE_ENV=production \
    LOG_LEVEL=info
WORKDIR /app
COPY --from=prod-deps /app/node_modules node_modules
COPY --from=prod-deps /app/common/node_modules common/node_modules
COPY --from=prod-deps /app/producer/node_modules producer/node_modules
COPY --from=prod-deps /app/pipeline/node_modules pipeline/node_modules
COPY --from=prod-deps /app/flink/node_modules flink/node_modules
COPY --from=prod-deps /app/dashboard/node_modules dashboard/node_modules
# tsx runs the TypeScript sources; it needs esbuild and esbuild's platform package.
COPY --from=deps /app/node_modules/tsx node_modules/tsx
COPY --from=deps /app/node_modules/esbuild node_modules/esbuild
COPY --from=deps /app/node_modules/@esbuild node_modules/@esbuild
RUN mkdir -p node_modules/.bin && ln -sf ../tsx/dist/cli.mjs node_modules/.bin/tsx
COPY package.json package-lock.json tsconfig.json ./
COPY common common
COPY pipeline pipeline
COPY producer producer
COPY flink/package.json flink/package.json
COPY flink/src flink/src
COPY dashboard dashboard
COPY scripts/db scripts/db
# scripts/db imports the repository layout (repoRoot) from here.
COPY scripts/stack/layout.ts scripts/stack/layout.ts
COPY sql sql
COPY docker/healthcheck.ts docker/healthcheck.ts
# The deployer's savepoint records live in STACK_DIR (.stack); compose mounts a volume there.
RUN mkdir -p /app/.stack && chown node:node /app/.stack
USER node
CMD ["node", "--import", "tsx", "flink/src/cli.ts", "--help"]
