FROM alpine:3.19
ARG NODE_VERSION=20.11.0
# BusyBox's wget: --progress would be an unknown option and fail the build
RUN wget -q -O /tmp/node.tar.xz https://unofficial-builds.nodejs.org/download/release/v${NODE_VERSION}/node-v${NODE_VERSION}-linux-x64-musl.tar.xz \
    && tar -xJf /tmp/node.tar.xz -C /usr/local --strip-components=1 \
    && rm /tmp/node.tar.xz
