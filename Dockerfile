# The plan33 worker image (used by docker-compose.yml; the API runs from the same image).
# The entries are compiled once here (scripts/build.mjs: dist/*.mjs with source maps), then the
# dev dependencies go: the containers run plain JavaScript, no TypeScript loader.
FROM node:20-bookworm-slim
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN node scripts/build.mjs && npm prune --omit=dev --no-audit --no-fund
ENV NODE_ENV=production
RUN mkdir -p /data && chown node:node /data
USER node
CMD ["node", "--enable-source-maps", "dist/worker.mjs"]
