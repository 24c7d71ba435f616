FROM debian:12-slim
ARG KUBECTL_VERSION=1.30.2
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates curl \
    && rm -rf /var/lib/apt/lists/*
# kubectl: an error page saved as a binary only fails when the container runs it
RUN curl -f -sSLo /usr/local/bin/kubectl "https://dl.k8s.io/release/v${KUBECTL_VERSION}/bin/linux/amd64/kubectl" \
    && curl -fsSL "https://dl.k8s.io/release/v${KUBECTL_VERSION}/bin/linux/amd64/kubectl.sha256" > /tmp/kubectl.sha256 \
    && chmod +x /usr/local/bin/kubectl
