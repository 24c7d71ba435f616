FROM node:20-slim
WORKDIR /srv
COPY package*.json ./
RUN npm ci
WORKDIR /srv/client
RUN npm run build
