# The plan33 image (used by docker-compose.yml: the worker, and the API from the same image).
# Node 24, the maintenance LTS line (to 2028-04) that the Temporal TypeScript SDK supports; the
# same version as CI's smoke (scripts/smoke-node.ts, PRODUCTION_NODE): change both together.
#
# Two stages: the build stage installs everything and compiles the entries (scripts/build.mjs:
# dist/*.mjs with source maps, and the check that package.json's dependencies are what they
# import); the runtime stage installs the production dependencies only (npm ci --omit=dev: no
# TypeScript loader, test servers or embedded PostgreSQL; about 385 MiB of node_modules) and
# takes dist/ from the build stage.
# The sources stay beside dist/: the worker bundles workflows/ with webpack when it starts.
FROM node:24.22.3-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN node scripts/build.mjs

FROM node:24.22.3-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
COPY scripts/prune-native.mjs scripts/
# One step, so the removed files are in no layer: the Temporal core's library for this platform only.
RUN npm ci --omit=dev --no-audit --no-fund && node scripts/prune-native.mjs && npm cache clean --force
COPY . .
# After the sources, so dist/ is the newer: `npx plan33` runs the compiled CLI (cli/bin/plan33.mjs).
COPY --from=build /app/dist ./dist
RUN mkdir -p /data && chown node:node /data
USER node
CMD ["node", "--enable-source-maps", "dist/worker.mjs"]
