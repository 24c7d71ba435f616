FROM node:20-slim
WORKDIR /srv
COPY . .
RUN npm ci --omit=dev
# the server
CMD ["node", "server.js"]
