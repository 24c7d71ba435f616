FROM ubuntu:14.04
RUN apt-get update && apt-get install --no-install-recommends -y ca-certificates curl
COPY start.sh /start.sh
EXPOSE 80
CMD ["/bin/bash", "/start.sh"]
