FROM debian:12
RUN apt-get update && apt-get install -y curl && apt list --installed > /usr/share/doc/packages.txt
