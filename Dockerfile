# syntax=docker/dockerfile:1
# Multi-stage build: compile TypeScript, then a runtime image with production dependencies only.

FROM node:20-bookworm-slim AS build
WORKDIR /app
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY bench ./bench
RUN npm run build && npm prune --omit=dev

FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production \
    GATEHOUSE_CONFIG=/etc/gatehouse/gatehouse.yaml
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist/src ./dist/src
COPY package.json ./
COPY config/examples /etc/gatehouse/examples
RUN mkdir -p /var/lib/gatehouse && chown node:node /var/lib/gatehouse
USER node
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=3s CMD node -e "fetch('http://127.0.0.1:8080/.gatehouse/healthz').then(r=>process.exit(r.ok?0:1)).catch(()=>process.exit(1))"
ENTRYPOINT ["node", "/app/dist/src/cli/main.js"]
CMD ["start", "--config", "/etc/gatehouse/gatehouse.yaml"]
