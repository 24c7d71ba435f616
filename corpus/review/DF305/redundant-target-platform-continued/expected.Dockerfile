ARG NODE_VERSION=20
FROM node:${NODE_VERSION}-alpine AS runtime
WORKDIR /app
COPY . .
CMD ["node", "index.js"]
