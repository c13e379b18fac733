# syntax=docker/dockerfile:1
# One image, two entry points:
#   delta-sharing-operator operator [flags]          (the default command)
#   delta-sharing-operator server --config <file>
# The TypeScript sources run as they are (Node 24 strips the types), so the image runs exactly the
# files the tests run; only production dependencies are installed.
#
# test/image/ replays these instructions outside a container (no engine runs in CI) and starts both
# entry points from the result as UID 65532 on a read-only root: keep to the instructions it knows
# (ARG FROM WORKDIR COPY RUN ENV USER ENTRYPOINT CMD LABEL EXPOSE) and to relative paths in RUN.

ARG NODE_VERSION=24.21.0

FROM node:${NODE_VERSION}-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund
COPY bin ./bin
COPY server ./server
COPY operator ./operator
# Every module the entry points load resolves with production dependencies alone.
RUN node --input-type=module --eval "await import('./server/server.ts'); await import('./operator/main.ts')"

# The exact Node binary tested against, on a base with glibc and libstdc++ but no shell or package
# manager. Everything is owned by root and read-only to the process.
FROM gcr.io/distroless/cc-debian12:nonroot
COPY --from=build /usr/local/bin/node /usr/local/bin/node
COPY --from=build /app /app
WORKDIR /app
ENV NODE_ENV=production
USER 65532:65532
EXPOSE 8080 8081
LABEL org.opencontainers.image.title="delta-sharing-operator" \
      org.opencontainers.image.description="Delta Sharing server and Kubernetes operator" \
      org.opencontainers.image.licenses="Apache-2.0"
ENTRYPOINT ["node", "/app/bin/delta-sharing-operator.ts"]
CMD ["operator"]
