FROM alpine:3.7
RUN apk add --no-cache curl jq
COPY entrypoint.sh /
RUN chmod +x /entrypoint.sh && rm -f /var/cache/apk/*
ENTRYPOINT ["/entrypoint.sh"]
