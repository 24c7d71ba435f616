FROM node:18

# node-gyp needs python and a compiler for the native modules
RUN apt-get update && apt-get install -y \
    python3 \
    make \
    g++ \
    git \
    # imagemagick renders the thumbnails
    imagemagick \

    ghostscript

WORKDIR /usr/src/app
COPY . .
RUN npm install
RUN npm run build

ENV NODE_ENV production
EXPOSE 3000
USER root
CMD npm start
