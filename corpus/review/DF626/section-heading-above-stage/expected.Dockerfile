# syntax=docker/dockerfile:1
# GO_VERSION of the toolchain
ARG GO_VERSION=1.22

# Build stage
#
FROM golang:${GO_VERSION} AS builder
RUN go build -o /out/app .

# runtime runs the binary
FROM gcr.io/distroless/static AS runtime
COPY --from=builder /out/app /app
