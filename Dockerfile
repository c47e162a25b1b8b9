# One image for every Ambit process; docker-compose.yml picks the command. Node 20, as the
# project is tested on; better-sqlite3 builds from source (no prebuilt download).
FROM node:20-bookworm-slim AS base
RUN apt-get update \
  && apt-get install -y --no-install-recommends python3 make g++ ca-certificates \
  && rm -rf /var/lib/apt/lists/*
WORKDIR /ambit
COPY package.json package-lock.json ./
COPY packages/shared/package.json packages/shared/
COPY packages/control-plane/package.json packages/control-plane/
COPY packages/dataplane/package.json packages/dataplane/
COPY apps/bff/package.json apps/bff/
COPY apps/web/package.json apps/web/
COPY e2e/package.json e2e/
RUN npm ci --no-audit --no-fund
COPY . .
ENV NODE_ENV=production NEXT_TELEMETRY_DISABLED=1

# The mesh: control plane, ztunnels, waypoints and workloads (ambit up), plus the console API.
FROM base AS mesh
EXPOSE 4000 15010 15012 15014
ENTRYPOINT ["node", "apps/bff/bin/ambit.js", "--data-dir", "/var/lib/ambit"]
CMD ["up", "--no-console", "--api-host", "0.0.0.0"]

# The web console, built at image build time.
FROM base AS web
RUN npm run build -w @ambit/web
EXPOSE 3000
WORKDIR /ambit/apps/web
CMD ["node", "node_modules/next/dist/bin/next", "start", "-p", "3000", "-H", "0.0.0.0"]
