FROM node:20-bookworm-slim
WORKDIR /home/node/app
COPY --chown=node:node package*.json ./
USER node
RUN npm ci
USER root
RUN apt-get update && apt-get install -y --no-install-recommends ffmpeg \
    && rm -rf /var/lib/apt/lists/*
COPY --chown=node:node . .
RUN chown 1000 /home/node/app
USER 1000
CMD ["node", "index.js"]
