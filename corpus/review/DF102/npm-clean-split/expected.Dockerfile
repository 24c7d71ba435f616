FROM node:20-alpine
WORKDIR /usr/src/app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev
# app sources
COPY . .
EXPOSE 8080
CMD ["node", "server.js"]
