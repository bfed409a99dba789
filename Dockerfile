# syntax=docker/dockerfile:1
# One image for both processes of `docker compose up`: the API (default command) and the local
# gateway (command overridden in docker-compose.yml).

# --- build: all dependencies (TypeScript, esbuild…) and the compiled dist/ ---
FROM node:22-bookworm-slim AS build
WORKDIR /app
# No install-time analytics pings (a dependency of the OpenAPI UI carries one).
ENV SCARF_ANALYTICS=false
# Compilers only in case a native module (better-sqlite3, argon2) has no prebuilt binary for this platform.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json .npmrc ./
RUN npm ci --no-audit --no-fund
COPY . .
# dist/: API, gateway, scripts, migrations, the Lambda bundles and the browser client (dist/web, served by the API).
RUN npm run build

# --- production dependencies only, native modules built for the runtime's Node and libc ---
FROM node:22-bookworm-slim AS prod-deps
WORKDIR /app
ENV SCARF_ANALYTICS=false
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json .npmrc ./
RUN npm ci --omit=dev --no-audit --no-fund \
 && npm cache clean --force

# --- runtime: no compilers, no devDependencies, not root ---
FROM node:22-bookworm-slim AS runtime
ENV NODE_ENV=production
# A container is reached through its own interface, not its loopback: listen on all of them. Development
# mode (dev secrets, demo logins) is then refused whatever NODE_ENV says.
ENV HOST=0.0.0.0 GATEWAY_HOST=0.0.0.0
WORKDIR /app
COPY --from=prod-deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
# package.json marks the project root and makes dist/ ES modules ("type": "module").
COPY package.json ./
# Only used with an embedded SQLite DATABASE_URL; compose runs MySQL.
RUN mkdir -p /app/data && chown node:node /app/data
USER node
EXPOSE 3000 3001
CMD ["node", "dist/apps/api/src/main.js"]
