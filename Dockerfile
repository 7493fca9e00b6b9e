# Fillflow's image: Node 24 (the current LTS) and the production dependencies. The TypeScript runs through tsx,
# a runtime dependency (bin/fillflow.js registers it), so there is no build step. Runs `fillflow worker` unless
# given another command; docker-compose.yml runs `fillflow db migrate`, `worker` and `api` from it.
ARG NODE_VERSION=24.21.0

FROM node:${NODE_VERSION}-bookworm-slim AS deps
WORKDIR /app
# better-sqlite3 compiles from source when no prebuilt binary matches, which needs Python and a C++
# toolchain; they stay in this stage and out of the final image.
RUN apt-get update \
  && apt-get install -y --no-install-recommends python3 make g++ \
  && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund
# An install script skipped or failed leaves a module that only fails when first used; fail the build instead.
RUN node -e "new (require('better-sqlite3'))(':memory:').close()"

FROM node:${NODE_VERSION}-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY --from=deps /app/node_modules ./node_modules
COPY package.json package-lock.json tsconfig.json ./
COPY bin ./bin
COPY src ./src
# `fillflow` on PATH, run directly: signals reach node itself rather than an npx wrapper.
RUN chmod 755 bin/fillflow.js && ln -s /app/bin/fillflow.js /usr/local/bin/fillflow
# Without FILLFLOW_DB (the compose cluster sets a postgres:// URL) the store is a SQLite file on this volume;
# created here so a fresh named volume inherits the node user's ownership.
RUN mkdir -p /data && chown node:node /data
ENV FILLFLOW_DB=/data/fillflow.db
USER node
CMD ["fillflow", "worker"]
