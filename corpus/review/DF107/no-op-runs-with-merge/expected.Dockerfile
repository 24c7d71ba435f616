FROM node:20-bookworm
RUN apt-get update && \
    apt-get install -y --no-install-recommends git
WORKDIR /usr/src/app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
RUN npm ci
