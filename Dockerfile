# Multi-stage, multi-arch build: a static binary in a distroless, non-root
# image. The Go stage runs on the build machine's platform and cross-compiles
# for the target one, so one command builds every architecture:
#   docker buildx build --platform linux/amd64,linux/arm64 -t skyvern-mcp .
# stdio by default:
#   docker run --rm -i -e SKYVERN_API_KEY skyvern-mcp
FROM --platform=$BUILDPLATFORM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG TARGETOS TARGETARCH
ARG VERSION=dev
ARG COMMIT=unknown
ARG DATE=unknown
RUN CGO_ENABLED=0 GOOS=$TARGETOS GOARCH=$TARGETARCH go build -trimpath \
      -ldflags "-s -w -X github.com/skyvern-mcp/skyvern-mcp/client.Version=${VERSION} -X main.commit=${COMMIT} -X main.date=${DATE}" \
      -o /out/skyvern-mcp ./cmd/skyvern-mcp

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/skyvern-mcp /usr/local/bin/skyvern-mcp
USER nonroot:nonroot
ENTRYPOINT ["/usr/local/bin/skyvern-mcp"]
