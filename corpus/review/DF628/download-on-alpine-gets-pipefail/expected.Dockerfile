FROM alpine:3.18

ENV DOCTL_VERSION=1.100.0

RUN set -o pipefail && apk add --no-cache curl ca-certificates \
 && curl -L https://github.com/digitalocean/doctl/releases/download/v${DOCTL_VERSION}/doctl-${DOCTL_VERSION}-linux-amd64.tar.gz | tar xz \
 && mv doctl /usr/local/bin/

ENTRYPOINT ["doctl"]
