FROM debian:12
RUN apt-get update && apt-get install --no-install-recommends -y ca-certificates git openssh-client
RUN --mount=type=ssh mkdir -p ~/.ssh && ssh-keyscan github.com >> ~/.ssh/known_hosts \
    && git clone git@github.com:example/private.git /src
