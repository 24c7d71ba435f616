FROM alpine:3.20
LABEL description="Small image that \
      runs the nightly export"
ENV APP_HOME=/srv/app
ENV PATH=$APP_HOME/bin:$PATH
