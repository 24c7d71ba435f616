FROM alpine:3.20
RUN apk add --no-cache tini
COPY --chmod=0755 docker-entrypoint.sh /usr/local/bin/
ENTRYPOINT ["tini", "--", "docker-entrypoint.sh"]
