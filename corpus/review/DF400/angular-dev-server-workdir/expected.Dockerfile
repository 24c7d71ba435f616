FROM node:20-alpine
WORKDIR /usr/src/app
COPY --chown=1000:1000 package.json package-lock.json ./
RUN npm ci
COPY --chown=1000:1000 . .
RUN chown 1000:1000 /usr/src/app
USER 1000:1000
EXPOSE 4200
CMD ["npx", "ng", "serve", "--host", "0.0.0.0"]
