FROM golang:1.21 AS builder
WORKDIR /src
COPY . .
RUN CGO_ENABLED=0 go build -o /out/app .

FROM alpine:3.19 as certs
RUN apk --no-cache add tzdata ca-certificates

FROM scratch
COPY --from=builder /out/app /app
# the tls certificates:
COPY --from=certs /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/
COPY --from=certs /usr/share/zoneinfo /usr/share/zoneinfo
ENTRYPOINT ["/app"]
