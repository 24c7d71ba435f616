FROM debian:12-slim
WORKDIR /opt/app
# the release tarball is built by CI next to this file
ADD app-2.3.1.tar.gz /opt/app/
CMD ["/opt/app/bin/app"]
