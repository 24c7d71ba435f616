# Build stage: compile a static binary
FROM golang:1.21 AS builder

WORKDIR /go/src/github.com/acme/inventory
ADD . .
RUN go mod download
RUN CGO_ENABLED=0 GOOS=linux go build -ldflags="-s -w" -o /out/inventory ./cmd/inventory

# Runtime stage
FROM alpine:latest
RUN apk update && apk add tzdata curl ca-certificates
ADD config/inventory.yaml /etc/inventory/config.yaml
COPY --from=builder /out/inventory /usr/local/bin/inventory
RUN cd /var/lib && mkdir inventory
RUN addgroup -S -g 10001 app && adduser -S -D -u 10001 -G app app \
 && chown -R 10001:10001 /var/lib/inventory
USER 10001:10001

EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=3s CMD curl -f http://localhost:8080/healthz || exit 1
ENTRYPOINT /usr/local/bin/inventory --config /etc/inventory/config.yaml
