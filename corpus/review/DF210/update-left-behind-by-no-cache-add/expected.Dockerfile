FROM node:20-alpine
RUN apk upgrade --no-cache && apk add --no-cache git openssh
