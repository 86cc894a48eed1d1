# One image for the API, the worker and the migrate step; docker-compose.yml picks the command.
# Debian slim, not Alpine: Temporal's native core bridge ships glibc builds only.
FROM node:20.20.2-bookworm-slim

WORKDIR /app
ENV NODE_ENV=production

# Dependencies first, so a code change reuses the npm ci layer. The postinstall `prisma generate`
# loads prisma.config.ts and what it imports, so those files have to be here already.
COPY package.json package-lock.json prisma.config.ts ./
COPY prisma/schema.prisma prisma/
COPY src/config.ts src/
COPY src/db/pg-pool.ts src/db/
COPY src/domain/duration.ts src/domain/
# tsx and prisma are runtime dependencies (the app runs from TypeScript sources), so dev tools can go.
RUN npm ci --omit=dev && npm cache clean --force

COPY . .

# Root owns the code; the app runs unprivileged and cannot rewrite it.
USER node
EXPOSE 3000
CMD ["npm", "run", "api"]
