FROM python:3.12-slim
RUN set -eux; \
	wget --progress=dot:giga -O model.bin "https://example.com/models/base.bin"; \
	sudo wget --progress=dot:giga -O /usr/local/bin/helper https://example.com/helper; \
	wget -qO- https://example.com/key.asc | gpg --dearmor > /usr/share/keyrings/example.gpg
