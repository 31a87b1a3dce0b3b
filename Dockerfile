# Multi-stage build: a static binary in a small non-root image. stdio by default:
#   docker run --rm -i -e SKYVERN_API_KEY skyvern-mcp
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=dev
RUN CGO_ENABLED=0 go build -trimpath \
      -ldflags "-s -w -X github.com/skyvern-mcp/skyvern-mcp/client.Version=${VERSION}" \
      -o /out/skyvern-mcp ./cmd/skyvern-mcp

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/skyvern-mcp /usr/local/bin/skyvern-mcp
USER nonroot:nonroot
ENTRYPOINT ["/usr/local/bin/skyvern-mcp"]
