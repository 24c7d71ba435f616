FROM node:18

# Install Node Tools
RUN npm install -g bower && \
    npm install -g gulp && \
    npm install -g pm2

EXPOSE 80
