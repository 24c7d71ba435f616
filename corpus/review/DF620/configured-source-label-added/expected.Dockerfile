FROM golang:1.22 AS build
WORKDIR /src
COPY . .
RUN go build -o /out/api ./cmd/api

FROM gcr.io/distroless/static-debian12
LABEL version="1.8.0"
LABEL org.opencontainers.image.source="https://github.com/acme/api"
COPY --from=build /out/api /api
ENTRYPOINT ["/api"]
