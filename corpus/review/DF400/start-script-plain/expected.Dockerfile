FROM debian:12-slim
RUN useradd --system --uid 999 app
COPY entrypoint.sh /entrypoint.sh
COPY bin/ /opt/app/bin/
USER 999
ENTRYPOINT ["/entrypoint.sh"]
CMD ["/opt/app/bin/server", "--port", "8080"]
