FROM nginx:1.27
LABEL maintainer="platform@example.org" \
      org.opencontainers.image.source="https://example.org/web"
COPY site/ /usr/share/nginx/html/
