# Fillflow worker image: Node 20 and the production dependencies; runs `npx fillflow worker`.
# Built by docker-compose.yml (service fillflow-worker); the TypeScript runs through tsx, no build step.
ARG NODE_VERSION=20.20.2

FROM node:${NODE_VERSION}-bookworm-slim AS deps
WORKDIR /app
# better-sqlite3 compiles from source when no prebuilt binary matches, which needs Python and a C++
# toolchain; they stay in this stage and out of the final image.
RUN apt-get update \
  && apt-get install -y --no-install-recommends python3 make g++ \
  && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund

FROM node:${NODE_VERSION}-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY --from=deps /app/node_modules ./node_modules
COPY package.json package-lock.json tsconfig.json ./
COPY bin ./bin
COPY src ./src
# The SQLite store's volume; created here so a fresh named volume inherits the node user's ownership.
RUN mkdir -p /data && chown node:node /data
ENV FILLFLOW_DB=/data/fillflow.db
USER node
CMD ["npx", "fillflow", "worker"]
