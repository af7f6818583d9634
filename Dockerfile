# syntax=docker/dockerfile:1
#
# recmock's container image: the static binary on scratch, run as a non-root user, with the
# CA bundle (for HTTPS webhook receivers and S3 endpoints) and a /data directory it owns.
#
# Two ways to build it:
#
#   docker build -t recmock .
#       compiles recmock in a golang stage (the default target); --build-arg VERSION=v1.2.3
#       (and COMMIT, DATE) stamp what `recmock version` prints.
#
#   docker build --target prebuilt -t recmock CONTEXT
#       takes a binary built beforehand, as the image test does without a registry. CONTEXT
#       holds recmock (CGO_ENABLED=0 go build -o CONTEXT/recmock ./cmd/recmock), a CA bundle
#       named ca-certificates.crt and an empty directory named data:
#         mkdir -p ctx/data && cp /etc/ssl/certs/ca-certificates.crt ctx/
#         docker build --target prebuilt -f Dockerfile -t recmock ctx
#
# It runs `recmock serve` listening on every interface, set by the RECMOCK_* variables below
# so a compose file or `docker run -e` overrides them. Settings and S3 objects stay in memory
# unless RECMOCK_DATA_DIR=/data is set, with a volume mounted there to keep them. Listening
# beyond loopback, serve requires an admin token on the admin API and dashboard
# (RECMOCK_ADMIN_TOKEN, 16 characters or more), or prints the one it generated;
# /_admin/health, which the HEALTHCHECK calls, stays open.

ARG GO_VERSION=1.26.8

# runtime is what every recmock image is, whichever way its binary came.
FROM scratch AS runtime
ENV RECMOCK_ADDR=0.0.0.0:8080 \
    RECMOCK_SMTP_ADDR=0.0.0.0:1025 \
    RECMOCK_S3_ADDR=0.0.0.0:9000
# API, admin API and dashboard; SMTP sink; fake S3.
EXPOSE 8080 1025 9000
# The distroless "nonroot" user: no shell, no passwd entry needed.
USER 65532:65532
# recmock health reads serve's RECMOCK_ADDR and TLS variables: no shell, no curl.
HEALTHCHECK --interval=10s --timeout=5s --start-period=5s --retries=3 CMD ["/recmock", "health"]
ENTRYPOINT ["/recmock"]
CMD ["serve"]

# prebuilt takes the binary, the CA bundle and the data directory from the build context.
FROM runtime AS prebuilt
COPY recmock /recmock
COPY ca-certificates.crt /etc/ssl/certs/ca-certificates.crt
COPY --chown=65532:65532 data /data

# build compiles recmock for the target platform on the build platform: Go cross-compiles,
# so a multi-platform build (docker buildx --platform linux/amd64,linux/arm64) emulates
# nothing.
FROM --platform=$BUILDPLATFORM golang:${GO_VERSION} AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG TARGETOS TARGETARCH VERSION="" COMMIT="" DATE=""
RUN CGO_ENABLED=0 GOOS=$TARGETOS GOARCH=$TARGETARCH go build -trimpath \
      -ldflags "-s -w -X github.com/recmock/recmock.version=${VERSION} -X github.com/recmock/recmock.commit=${COMMIT} -X github.com/recmock/recmock.date=${DATE}" \
      -o /out/recmock ./cmd/recmock \
 && mkdir -p /out/data

# The default target: the binary compiled above.
FROM runtime AS image
COPY --from=build /out/recmock /recmock
COPY --from=build /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/ca-certificates.crt
COPY --from=build --chown=65532:65532 /out/data /data
